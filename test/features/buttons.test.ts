import { describe, expect, test } from "bun:test";
import { alertButton } from "../../src/features/alerts/buttons.ts";
import { authButton, locationButton } from "../../src/features/plume/buttons.ts";
import {
  runButton,
  runCancelButton,
  runConfirmButton,
  stopButtonData,
} from "../../src/features/runs/buttons.ts";
import { helpButton } from "../../src/features/start-help/buttons.ts";
import { statusButton } from "../../src/features/status/buttons.ts";

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
});
