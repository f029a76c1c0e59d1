import { Button } from '../../components/index.ts';
import { duplicateKeys, type Pair } from './secret-json.ts';

/** Key/value rows of a JSON secret; values are password inputs unless `reveal`. */
export function PairsEditor(props: { pairs: Pair[]; onChange: (p: Pair[]) => void; reveal?: boolean }) {
  const set = (i: number, p: Pair) => props.onChange(props.pairs.map((x, j) => (j === i ? p : x)));
  const dups = duplicateKeys(props.pairs);
  return (
    <div>
      {props.pairs.map((p, i) => (
        <div className="row" key={i}>
          <div className="field"><label htmlFor={`kv-k-${i}`}>Key {i + 1}</label><input id={`kv-k-${i}`} value={p.key} spellCheck={false} onChange={(e) => set(i, { ...p, key: e.target.value })} /></div>
          <div className="field"><label htmlFor={`kv-v-${i}`}>Value {i + 1}</label><input id={`kv-v-${i}`} className="mono" type={props.reveal ? 'text' : 'password'} autoComplete="off" spellCheck={false} value={p.value} onChange={(e) => set(i, { ...p, value: e.target.value })} /></div>
          <Button aria-label={`Remove row ${i + 1}`} onClick={() => props.onChange(props.pairs.filter((_, j) => j !== i))}>Remove</Button>
        </div>
      ))}
      {dups.length > 0 && <div className="field-error" role="alert">Keys must be unique: {dups.join(', ')}</div>}
      <Button onClick={() => props.onChange([...props.pairs, { key: '', value: '', kind: 'string' }])}>Add row</Button>
    </div>
  );
}
