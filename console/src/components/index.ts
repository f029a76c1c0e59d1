// The console's shared UI primitives: every page uses these, so pages look and behave alike.
export { Button } from './Button.tsx';
export { Field, TextField, SelectField, TextAreaField, Checkbox } from './Field.tsx';
export { Table, type Column } from './Table.tsx';
export { Dialog, Confirm } from './Dialog.tsx';
export { Tabs, TabPanel } from './Tabs.tsx';
export { JsonEditor, jsonError } from './JsonEditor.tsx';
export { CopyButton } from './CopyButton.tsx';
export { Loading } from './Loading.tsx';
export { ErrorBanner, Notice } from './ErrorBanner.tsx';
export { errorFacts, parseDenial, whyHref, isExpired, type ErrorFacts } from './errors.ts';
export { useAsync, PageHeader } from './hooks.tsx';
export { useAction, type Action } from './use-action.ts';
export { formatDate, formatDateUtc } from './dates.ts';
