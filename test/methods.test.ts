/** A method a route does not answer is a 405 naming the methods it does (RFC 9110 §15.5.6), on every route. */
import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { ADMIN, api } from "./helpers";

const ID = "0123456789abcdef";

describe("methods a route does not answer", () => {
  it.each([
    ["PUT", `/api/articles/${ID}`, "GET, HEAD, DELETE"],
    ["PATCH", `/api/articles/${ID}`, "GET, HEAD, DELETE"],
    ["DELETE", "/api/articles", "GET, HEAD, POST"],
    ["GET", `/api/articles/${ID}/check`, "POST"],
    ["POST", "/api/changes", "GET, HEAD"],
    ["PUT", "/api/subscriptions", "GET, HEAD, POST"],
    ["POST", `/api/subscriptions/${ID}`, "GET, HEAD, DELETE"],
    ["POST", "/api/status", "GET, HEAD"],
    ["DELETE", "/feeds/changes.atom", "GET, HEAD"],
    ["POST", `/feeds/articles/${ID}.json`, "GET, HEAD"],
    ["PUT", "/timegate/https://example.com/a", "GET, HEAD"],
    ["POST", "/", "GET, HEAD"],
    ["DELETE", `/articles/${ID}/diff/1..2`, "GET, HEAD"],
  ])("answers 405 with Allow for %s on %s", async (method, path, allow) => {
    const response = await api(method, path, { headers: ADMIN });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe(allow);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.json).toMatchObject({ status: 405, title: "Method Not Allowed" });
    expect(response.json.detail).toBe(`${method} is not allowed on "${path}"; it answers ${allow}.`);
  });

  it("answers HEAD wherever GET is answered", async () => {
    const response = await exports.default.fetch(new Request("http://redline.test/api/status", { method: "HEAD" }));
    expect(response.status).toBe(200);
  });

  it("answers a browser's wrong method on a page with the HTML error page and Allow", async () => {
    const response = await exports.default.fetch(new Request("http://redline.test/", { method: "POST", headers: { Accept: "text/html" } }));
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, HEAD");
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
    expect(await response.text()).toContain("POST is not allowed on &quot;/&quot;; it answers GET, HEAD.");
  });

  it("still answers 404 for a path no route answers", async () => {
    const response = await api("PUT", "/api/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("Allow")).toBeNull();
  });
});
