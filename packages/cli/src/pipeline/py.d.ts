/** Python sources bundled as text (esbuild `text` loader): the step runner and the kernel helper it imports. */
declare module '*.py' {
  const source: string;
  export default source;
}
