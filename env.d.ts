declare module "*?raw" {
  const content: string;
  export default content;
}
declare namespace Cloudflare {
  interface Env extends import("./src/env").Env {}
}
