import { describe, expect, test } from "bun:test";
import { alertButton } from "../../src/features/alerts/buttons.ts";
import { chartButton } from "../../src/features/history/buttons.ts";
import { authButton, locationButton } from "../../src/features/plume/buttons.ts";
import {
  runButton,
  runCancelButton,
  runConfirmButton,
  stopButtonData,
} from "../../src/features/runs/buttons.ts";
import { helpButton } from "../../src/features/start-help/buttons.ts";
import { statusButton } from "../../src/features/status/buttons.ts";
import { callbackRoute } from "../../src/telegram/feature.ts";

const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

describe("button codecs", () => {
  const largest = [
    helpButton.pack({}),
    statusButton.pack({ mode: "refresh" }),
    runButton.pack({ script: "a_script_name_of_thirty_two_char" }),
    runConfirmButton.pack({ script: "a_script_name_of_thirty_two_char" }),
    runCancelButton.pack({}),
    stopButtonData.pack({ run: 9_999_999_999 }),
    alertButton.pack({ action: "muteResolved", incident: 9_999_999_999 }),
    locationButton.pack({ action: "devices", customer: "f".repeat(24), location: "f".repeat(24) }),
    authButton.pack({ answer: "ok" }),
  ];

  test("every button fits Telegram's 64 bytes of callback data", () => {
    for (const data of largest) expect(bytes(data)).toBeLessThanOrEqual(64);
  });

  test("each codec takes only its own buttons: no two routes claim the same data", () => {
    const codecs = [
      helpButton,
      statusButton,
      runButton,
      runConfirmButton,
      runCancelButton,
      stopButtonData,
      alertButton,
      locationButton,
      authButton,
    ];
    for (const [i, data] of largest.entries())
      expect(codecs.filter((c) => c.filter(data)).map((c) => codecs.indexOf(c))).toEqual([i]);
  });

  test("what one side packs, the other unpacks; an old or forged string does not decode", () => {
    const data = alertButton.pack({ action: "mute8h", incident: 42 });
    expect(alertButton.unpack(data)).toEqual({ action: "mute8h", incident: 42 });
    expect(alertButton.safeUnpack("al:m8:42").success).toBe(false);
    expect(stopButtonData.safeUnpack("stop:12").success).toBe(false);
  });

  test("a forged chart button with its range or mode left empty never reaches the handler", () => {
    const route = callbackRoute(chartButton, "viewer", async () => {});
    const good = chartButton.pack({ range: "24h", target: "cpu", mode: "edit" });
    expect(route.decode(good)).toEqual({ range: "24h", target: "cpu", mode: "edit" });
    const [head = "", target, mode] = good.split(";");
    const emptyRange = [head.slice(0, -1), target, mode].join(";");
    const emptyMode = [head, target, ""].join(";");
    // The codec itself takes both, with the field missing: the route must not.
    expect(chartButton.safeUnpack(emptyRange).success).toBe(true);
    expect(route.decode(emptyRange)).toBeUndefined();
    expect(route.decode(emptyMode)).toBeUndefined();
  });
});
