import { useState } from 'react';
import { Button } from './Button.tsx';

/** Copies `value()` to the clipboard (falls back to a hidden textarea on plain-HTTP origins). */
export function CopyButton(props: { value: () => string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    const text = props.value();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const t = document.createElement('textarea');
      t.value = text;
      t.setAttribute('readonly', '');
      t.className = 'visually-hidden';
      document.body.appendChild(t);
      t.select();
      document.execCommand('copy');
      t.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return <Button onClick={() => void copy()} aria-live="polite">{done ? 'Copied' : (props.label ?? 'Copy')}</Button>;
}
