import { randomBytes } from "node:crypto";
import { CLI_ACTOR } from "./actor.js";
import type { Services } from "./wiring.js";

/**
 * `assent serve --demo`: two tenants (one in `eu`, one in `us`) sharing, their admins, staff of
 * every role and synthetic interactions, so a newcomer can try every screen and API. Made once;
 * a later `--demo` start finds it and says so.
 */
export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly string[];
  readonly tenantId: string | null;
}

export interface DemoResult {
  readonly created: boolean;
  readonly accounts: readonly DemoAccount[];
  readonly keys: readonly { tenantId: string; key: string }[];
  readonly interactions: number;
}

const TENANTS = [
  { id: "demo-eu", name: "Northwind Traders (demo)", region: "eu" },
  { id: "demo-us", name: "Contoso (demo)", region: "us" },
] as const;

const FEATURES = ["sales.email-draft", "support.reply-suggest", "docs.summarize"] as const;
const PROMPTS: Record<(typeof FEATURES)[number], readonly string[]> = {
  "sales.email-draft": [
    "Draft a follow-up to a customer who asked about volume pricing",
    "Write a short thank-you note after a product demo",
    "Propose three meeting slots next week for a renewal call",
  ],
  "support.reply-suggest": [
    "Customer cannot reset their password; suggest a reply",
    "Explain how to export a report to CSV",
    "Apologise for a delayed shipment and offer tracking steps",
  ],
  "docs.summarize": [
    "Summarize the attached quarterly planning notes in five bullets",
    "Summarize the meeting transcript and list action items",
    "Give a one-paragraph summary of the onboarding guide",
  ],
};

const password = () => randomBytes(12).toString("base64url");
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

export async function ensureDemo(services: Services, perTenant = 60): Promise<DemoResult> {
  const regions = services.tenants.regions();
  const tenants = TENANTS.filter((t) => regions.includes(t.region));
  if ((await services.tenants.findTenant(tenants[0]?.id ?? "")) !== null) {
    return { created: false, accounts: [], keys: [], interactions: 0 };
  }
  const accounts: DemoAccount[] = [];
  const keys: { tenantId: string; key: string }[] = [];
  let interactions = 0;
  const addUser = async (email: string, roles: string[], tenantId: string | null) => {
    const pw = password();
    await services.users.createUser({ email, password: pw, roles, tenantId, name: null }, CLI_ACTOR);
    accounts.push({ email, password: pw, roles, tenantId });
  };
  for (const spec of tenants) {
    const tenant = await services.tenants.createTenant(spec, CLI_ACTOR);
    const { key } = await services.tenants.createKey(tenant.id, CLI_ACTOR, "demo AI feature");
    keys.push({ tenantId: tenant.id, key });
    await addUser(`admin@${tenant.id}.example`, ["tenant-admin"], tenant.id);
    await services.consent.setSharing(tenant, true, { ...CLI_ACTOR, label: `admin@${tenant.id}.example` });
    const items = Array.from({ length: perTenant }, (_, i) => {
      const feature = pick(FEATURES, i);
      const prompt = pick(PROMPTS[feature], i * 7 + 3);
      return {
        id: `demo-${tenant.id}-${i}`,
        feature,
        input: { messages: [{ role: "user", content: prompt }] },
        output: `Synthetic answer ${i + 1} for "${prompt}".`,
        conversationId: `demo-conv-${i % 9}`,
        telemetry: {
          model: pick(["gpt-4o", "claude-sonnet-4", "gemini-2.5-pro"], i),
          provider: pick(["openai", "anthropic", "google"], i),
          latencyMs: 300 + ((i * 137) % 2200),
          tokensIn: 40 + ((i * 53) % 900),
          tokensOut: 60 + ((i * 71) % 700),
          finishReason: i % 11 === 0 ? "length" : "stop",
          feedback: pick([1, 1, 0, -1, 1], i),
        },
      };
    });
    const res = await services.capture.ingestBatch(tenant, { interactions: items });
    interactions += res.accepted;
  }
  await addUser("reviewer@vendor.example", ["reviewer"], null);
  await addUser("approver@vendor.example", ["approver"], null);
  await addUser("operator@vendor.example", ["operator"], null);
  return { created: true, accounts, keys, interactions };
}
