export { EvidenceBundleSchema, JwksSchema, NoticeStatusSchema } from "@assent/sdk/contract";
