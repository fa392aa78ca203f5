// @ts-nocheck
// `deploycheck trust <fingerprint|public-key.pem> [--name NAME]`: add a signer's key to the user's trusted-keys,
// so `verify` and `export` accept records it signed.
import { UsageError } from "../../errors.js";
import { defaultConfigDir } from "../../record/keys.js";
import { addTrustedKey, TRUSTED_KEYS_FILE } from "../../record/trust.js";
import type { GlobalOptions } from "../options.js";

interface TrustOptions extends GlobalOptions {
  name?: string;
}

export async function run(args: string[], options: TrustOptions): Promise<number> {
  const key = args[0];
  if (!key) {
    throw new UsageError("trust needs a key fingerprint or a public key file", {
      hint: 'deploycheck trust SHA256:... --name "Ana Lima"',
    });
  }
  const dir = defaultConfigDir();
  const line = addTrustedKey(dir, key, options.name);
  process.stdout.write(`trusted: ${line} (${dir}/${TRUSTED_KEYS_FILE})\n`);
  return 0;
}
