/** A loading indicator screen readers announce. */
export function Loading(props: { label?: string }) {
  return <div className="loading" role="status"><span className="spinner" aria-hidden="true" /> {props.label ?? 'Loading…'}</div>;
}
