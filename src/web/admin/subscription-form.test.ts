import { describe, expect, it } from "vitest";
import { CHANNEL_TYPES } from "../../channels/model";
import { CHANNEL_FORMS, formFieldNames, subscriptionBody } from "./subscription-form";

describe("subscriptionBody", () => {
  it("reads a Slack form as the API's body: empty fields left out, kinds as a list, the significance a number", () => {
    const values = { url: " https://hooks.slack.com/services/T/B/x ", label: "", site: "en.yna.co.kr", source: "", articleId: "", minSignificance: "0.3" };
    expect(subscriptionBody("slack", values, ["body", "title"])).toEqual({
      type: "slack",
      url: "https://hooks.slack.com/services/T/B/x",
      site: "en.yna.co.kr",
      minSignificance: 0.3,
      kinds: ["body", "title"],
    });
  });

  it("keeps a significance that is not a number as typed, for the API to refuse by name, and ignores fields of other types", () => {
    expect(subscriptionBody("email", { to: "desk@example.com", from: "r@example.com", minSignificance: "lots", url: "https://x.example" }, [])).toEqual({
      type: "email",
      to: "desk@example.com",
      from: "r@example.com",
      minSignificance: "lots",
    });
  });
});

describe("the forms", () => {
  it("has a form for every channel type, and every secret field is a password input", () => {
    expect(Object.keys(CHANNEL_FORMS).sort()).toEqual([...CHANNEL_TYPES].sort());
    const secrets = ["secret", "accessToken", "appPassword", "secretKey"];
    for (const type of CHANNEL_TYPES) {
      for (const field of CHANNEL_FORMS[type].fields) if (secrets.includes(field.name)) expect(field.input, `${type}.${field.name}`).toBe("password");
    }
    expect(formFieldNames("discord")).toEqual(["url", "label", "site", "source", "articleId", "minSignificance", "kinds"]);
  });
});
