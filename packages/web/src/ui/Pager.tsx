export interface PagerProps {
  readonly page: number;
  readonly hasNext: boolean;
  readonly onPrevious: () => void;
  readonly onNext: () => void;
  readonly label: string;
}

/** Previous / next over a cursor-paged list. */
export function Pager({ page, hasNext, onPrevious, onNext, label }: PagerProps) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={page === 1}>
        ← Newer
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Older →
      </button>
    </nav>
  );
}

/** The pager of a list paged with `useCursorPages`, given the cursor of the next page (if any). */
export function CursorPager({
  label,
  pages,
  nextCursor,
}: {
  readonly label: string;
  readonly pages: { readonly page: number; previous(): void; next(cursor: string): void };
  readonly nextCursor: string | null | undefined;
}) {
  return (
    <Pager
      label={label}
      page={pages.page}
      hasNext={Boolean(nextCursor)}
      onPrevious={pages.previous}
      onNext={() => nextCursor && pages.next(nextCursor)}
    />
  );
}
