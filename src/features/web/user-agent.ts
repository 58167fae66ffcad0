/**
 * Pure: a browser's User-Agent in a few words for the login notice ("Chrome 131 on Android").
 * Only ever shown, never trusted; unknown agents are named by their first word, bounded.
 */

const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/OPR\/(\d+)/, "Opera"],
  [/SamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/Firefox\/(\d+)/, "Firefox"],
  [/FxiOS\/(\d+)/, "Firefox"],
  [/CriOS\/(\d+)/, "Chrome"],
  [/HeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/Chrome\/(\d+)/, "Chrome"],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
  [/curl\/(\d+)/, "curl"],
];

const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

export function browserOf(agent: string | null): string {
  if (!agent) return "an unnamed browser";
  const ua = agent.slice(0, 512);
  const browser = BROWSERS.find(([re]) => re.test(ua));
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  const name = browser
    ? `${browser[1]} ${ua.match(browser[0])?.[1] ?? ""}`.trim()
    : (ua.split(/[\s/]/)[0] ?? "").replace(/[^\w.-]/g, "").slice(0, 24) || "an unnamed browser";
  return system ? `${name} on ${system}` : name;
}
