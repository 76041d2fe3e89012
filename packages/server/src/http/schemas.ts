import { Type } from "typebox";

export const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String() });
