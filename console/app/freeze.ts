/// <reference lib="dom" />
import { ApiError } from './api';
import { el } from './dom';

/**
 * The override of a freeze window (docs/operations.md#freeze-windows): hidden until the API answers 409
 * `frozen`, then shown under the refusal so that the person can say why they go ahead; the next try
 * sends it, and the release or promotion records it.
 */
export function overrideField(id: string): { field: HTMLElement; send: <T>(request: (override: { override?: string }) => Promise<T>) => Promise<T> } {
  const input = el('input', { id, type: 'text', autocomplete: 'off', maxlength: 500 });
  const field = el('div', { class: 'override', hidden: true }, el('label', { for: id }, 'The environment is frozen. Why go ahead anyway? (recorded)'), input);
  return {
    field,
    async send(request) {
      const reason = field.hidden ? '' : input.value.trim();
      try {
        return await request(reason ? { override: reason } : {});
      } catch (error) {
        if (error instanceof ApiError && error.code === 'frozen') {
          field.hidden = false;
          input.required = true;
        }
        throw error;
      }
    },
  };
}
