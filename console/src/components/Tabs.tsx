import { useRef, type KeyboardEvent } from 'react';

/** WAI-ARIA tabs: arrow keys move between tabs; the page renders the selected panel. */
export function Tabs(props: { tabs: { id: string; label: string }[]; selected: string; onSelect: (id: string) => void; label: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const n = props.tabs.length;
    const next = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    props.onSelect(props.tabs[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label={props.label} className="tabs">
      {props.tabs.map((t, i) => (
        <button key={t.id} ref={(el) => { refs.current[i] = el; }} type="button" role="tab" id={`tab-${t.id}`}
          aria-selected={t.id === props.selected} aria-controls={`panel-${t.id}`} tabIndex={t.id === props.selected ? 0 : -1}
          className={`tab${t.id === props.selected ? ' tab-selected' : ''}`} onClick={() => props.onSelect(t.id)} onKeyDown={(e) => onKey(e, i)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel(props: { id: string; children: React.ReactNode }) {
  return <div role="tabpanel" id={`panel-${props.id}`} aria-labelledby={`tab-${props.id}`} className="tab-panel">{props.children}</div>;
}
