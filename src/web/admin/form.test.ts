import { describe, expect, it } from "vitest";
import { formErrors, formValues, lines, SOURCE_FIELDS, sourceBody } from "./form";

describe("the add-a-source form as the API's body", () => {
  it("sends only the URL when every other field is left empty and the type is auto", () => {
    expect(sourceBody({ url: " https://example.com/rss.xml ", type: "auto", include: "", exclude: "\n", keywords: "", maxAgeDays: "", trackDays: " ", intervalMinutes: "" })).toEqual({
      url: "https://example.com/rss.xml",
    });
  });

  it("reads the pattern and keyword boxes one entry a line, skipping blank lines, and the numbers as numbers", () => {
    const body = sourceBody({
      url: "https://example.com/world/",
      type: "page",
      include: "/world/*\r\n\r\n  https://example.com/asia/*  ",
      exclude: "/world/video/*",
      keywords: "cost-sharing\nSMA\n",
      maxAgeDays: "2.5",
      trackDays: "30",
      intervalMinutes: "60",
    });
    expect(body).toEqual({
      url: "https://example.com/world/",
      type: "page",
      include: ["/world/*", "https://example.com/asia/*"],
      exclude: ["/world/video/*"],
      keywords: ["cost-sharing", "SMA"],
      maxAgeDays: 2.5,
      trackDays: 30,
      intervalMinutes: 60,
    });
  });

  it("keeps a number field that is not a number as typed, for the API to refuse by name", () => {
    expect(sourceBody({ url: "https://example.com/rss.xml", trackDays: "a week", intervalMinutes: "-5" })).toEqual({ url: "https://example.com/rss.xml", trackDays: "a week", intervalMinutes: -5 });
  });

  it("sends an empty URL when the field is missing, so the API names the url field", () => {
    expect(sourceBody({})).toEqual({ url: "" });
  });

  it("splits lines on LF and CRLF and trims each", () => {
    expect(lines(" a \r\nb\n\n c")).toEqual(["a", "b", "c"]);
  });

  it("reads a posted form's text values, the last of a repeated name winning", () => {
    const data = new FormData();
    data.append("url", "https://a.example/");
    data.append("url", "https://b.example/");
    data.append("file", new Blob(["x"]), "x.txt");
    expect(formValues(data)).toEqual({ url: "https://b.example/" });
  });
});

describe("a problem as the form's errors", () => {
  it("puts each named field's reason beside it and nothing on top", () => {
    expect(formErrors("`trackDays` must be …", [{ name: "trackDays", reason: "must be a whole number" }], SOURCE_FIELDS)).toEqual({ fields: { trackDays: "must be a whole number" }, general: [] });
  });

  it("joins two reasons for one field", () => {
    expect(formErrors("d", [{ name: "url", reason: "a" }, { name: "url", reason: "b" }], ["url"])).toEqual({ fields: { url: "a; b" }, general: [] });
  });

  it("puts the detail on top when no field is named (robots.txt, a busy host)", () => {
    expect(formErrors("example.com is not free until …", [], ["url"])).toEqual({ fields: {}, general: ["example.com is not free until …"] });
  });

  it("puts a reason for a field the form does not have on top, named", () => {
    expect(formErrors("Unknown field", [{ name: "tags", reason: "unknown field" }], SOURCE_FIELDS)).toEqual({ fields: {}, general: ["tags: unknown field"] });
  });
});
