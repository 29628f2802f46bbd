import type { MetaDocument } from '../../../functions/contract/metrics.ts';
import { methodLink } from '../method.ts';
import { revisionsHeldNote } from '../revisions-held.ts';

/**
 * Says above every page which England figures hold a revision back (meta.json's revisions_held), in the style of the
 * page's other data notes, so a reader can tell an England figure is not yet complete. Nothing when none is held.
 */
export function RevisionsHeldNote({ meta }: { readonly meta: Pick<MetaDocument, 'revisions_held'> }) {
  const note = revisionsHeldNote(meta.revisions_held);
  if (!note) return null;
  return (
    <p
      className="rounded-tremor-default bg-blue-50 p-2 text-tremor-label text-tremor-content-emphasis"
      data-testid="revisions-held"
    >
      {note}{' '}
      <a className="text-nhs-blue underline" href={methodLink('revisions')}>
        How revisions are published
      </a>
    </p>
  );
}
