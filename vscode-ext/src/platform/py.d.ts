/** Python sources bundled as text (esbuild `text` loader): the kernel helper injected into kernels. */
declare module '*.py' {
  const source: string;
  export default source;
}
