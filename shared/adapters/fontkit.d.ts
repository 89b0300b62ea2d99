// fontkit (pdfkit's font engine) ships no types; fonts.ts uses openSync and casts to what its callers call.
declare module 'fontkit' {
  export function openSync(path: string, postscriptName?: string): unknown;
}
