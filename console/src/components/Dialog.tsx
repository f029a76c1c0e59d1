import { useEffect, useRef, type ReactNode } from 'react';
import { Button } from './Button.tsx';

/** A modal dialog (the native <dialog>: focus trap, Escape closes). */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-label={props.title} onClose={props.onClose} onCancel={(e) => { e.preventDefault(); props.onClose(); }}>
      {props.open && (
        <>
          <h2>{props.title}</h2>
          <div className="dialog-body">{props.children}</div>
          {props.footer && <div className="dialog-footer">{props.footer}</div>}
        </>
      )}
    </dialog>
  );
}

/** Asks before a destructive action; `onConfirm` may be async (the button shows it is busy). */
export function Confirm(props: { open: boolean; title: string; children: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onCancel}
      footer={<>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button variant={props.danger ? 'danger' : 'primary'} busy={props.busy} onClick={props.onConfirm}>{props.confirmLabel}</Button>
      </>}>
      {props.children}
    </Dialog>
  );
}
