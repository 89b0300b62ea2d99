// fontkit (pdfkit's font engine) ships no types; the chart adapter uses openSync and casts to what it calls.
declare module 'fontkit' {
  export function openSync(path: string, postscriptName?: string): unknown;
}
