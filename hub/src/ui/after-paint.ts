/**
 * The first matrix is painted before what is below or beside it (the environment comparison, the
 * filter bar's controls): those render one frame later, so the first frame's render, style and layout
 * are the matrix's alone (bench/hub-load.ts, bench/hub-profile.ts).
 */
import * as React from 'react';

/**
 * False until a frame has been painted after `shown` first became true; then true for good
 * (later data and filter changes render everything at once).
 */
export function useAfterFirstPaint(shown: boolean): boolean {
  const [painted, setPainted] = React.useState(false);
  React.useEffect(() => {
    if (!shown || painted) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A frame callback runs before that frame's paint; a task queued from it runs after the paint.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [shown, painted]);
  return painted;
}
