// People who ask their system for less motion get none: no Ant Design transitions, no chart animations.
export const prefersReducedMotion = (): boolean =>
  typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
