import { chooseBackend } from './backend';

const status = document.querySelector<HTMLElement>('#backend')!;
chooseBackend().then(
  (choice) => {
    status.textContent = choice.name;
    document.body.dataset.backend = choice.name;
  },
  (err: unknown) => {
    status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`;
    document.body.dataset.backend = 'none';
  },
);
