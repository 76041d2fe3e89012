import { type TSchema, Type } from "typebox";

/** Building blocks of the staff API's answers: times as ISO 8601, nullable values, pages. */

export const Time = Type.String({ format: "date-time" });
export const NullableTime = Type.Union([Time, Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A page of a keyset-paged list: `nextCursor` null on the last page. */
export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: NullableString });
