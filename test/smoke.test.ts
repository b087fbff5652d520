import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";


it("serves", async () => {
  const res = await exports.default.fetch("http://x/");
  expect(await res.text()).toBe("redline");
  await env.REDLINE_KV.put("a", "b");
  expect(await env.REDLINE_KV.get("a")).toBe("b");

});
