/**
 * The driver for platforms autostart has no init-system driver for. It is never
 * available, so selecting a driver there ends in exit 3 with a message that names the
 * platforms and drivers that are supported.
 *
 * @module
 */

import type { Driver } from "../core/driver.ts";
import { UnsupportedError } from "../core/errors.ts";

/** Platforms with no built-in driver. */
export const UNSUPPORTED_PLATFORMS = [
  "windows",
  "freebsd",
  "netbsd",
  "openbsd",
  "aix",
  "solaris",
  "illumos",
  "android",
] as const;

const WHY =
  "autostart has no driver for this platform; supported: Linux with systemd (login and boot), macOS with launchd (login and boot)";

function refuse(): never {
  throw new UnsupportedError(
    WHY,
    "see `autostart drivers` for what each driver supports",
  );
}

/** Stands for "nothing here": lists the platform in `drivers` and explains why not. */
export const unsupportedDriver: Driver = {
  id: "unsupported",
  description: "platforms without an init-system driver",
  platforms: UNSUPPORTED_PLATFORMS,
  conditions: ["login", "boot"],
  keepAlive: ["false", "on-failure", "always"],
  available: () => Promise.resolve({ available: false, reason: WHY }),
  plan: refuse,
  planDisable: refuse,
  planControl: refuse,
  status: () => Promise.resolve([]),
};
