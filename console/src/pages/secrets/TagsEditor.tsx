import type { Tag } from '@aws-sdk/client-secrets-manager';
import { Button } from '../../components/index.ts';

/** Tag rows (key, value) with add and remove; the caller saves. */
export function TagsEditor(props: { tags: Tag[]; onChange: (t: Tag[]) => void }) {
  const set = (i: number, t: Tag) => props.onChange(props.tags.map((x, j) => (j === i ? t : x)));
  return (
    <fieldset className="card">
      <legend>Tags</legend>
      {props.tags.length === 0 && <p className="muted small">No tags.</p>}
      {props.tags.map((t, i) => (
        <div className="row" key={i}>
          <div className="field"><label htmlFor={`tag-k-${i}`}>Tag key {i + 1}</label><input id={`tag-k-${i}`} value={t.Key ?? ''} onChange={(e) => set(i, { ...t, Key: e.target.value })} /></div>
          <div className="field"><label htmlFor={`tag-v-${i}`}>Tag value {i + 1}</label><input id={`tag-v-${i}`} value={t.Value ?? ''} onChange={(e) => set(i, { ...t, Value: e.target.value })} /></div>
          <Button aria-label={`Remove tag ${i + 1}`} onClick={() => props.onChange(props.tags.filter((_, j) => j !== i))}>Remove</Button>
        </div>
      ))}
      <Button onClick={() => props.onChange([...props.tags, { Key: '', Value: '' }])}>Add tag</Button>
    </fieldset>
  );
}
