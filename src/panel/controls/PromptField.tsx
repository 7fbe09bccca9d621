// The prompt box: a labelled text area with a live character count against the 1024 limit.
// Enter runs the current mode; Shift+Enter inserts a new line.

import { TextArea } from "@adobe/react-spectrum";
import { PROMPT_MAX_CHARS, promptLengthProblem } from "../model/limits";

export interface PromptFieldProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** Called on Enter (without Shift). */
  onSubmit?: () => void;
  placeholder?: string;
  /** Shown under the field when the prompt is fine. */
  hint?: string;
  isRequired?: boolean;
  isDisabled?: boolean;
  autoFocus?: boolean;
  testId?: string;
}

export function PromptField(p: PromptFieldProps) {
  const problem = promptLengthProblem(p.value);
  const count = `${p.value.length} / ${PROMPT_MAX_CHARS} characters`;
  return (
    <TextArea
      label={p.label}
      value={p.value}
      onChange={p.onChange}
      width="100%"
      isRequired={p.isRequired}
      necessityIndicator={p.isRequired ? "label" : undefined}
      isDisabled={p.isDisabled}
      autoFocus={p.autoFocus}
      placeholder={p.placeholder}
      validationState={problem ? "invalid" : undefined}
      errorMessage={problem ?? undefined}
      description={p.hint ? `${p.hint} · ${count}` : count}
      data-testid={p.testId}
      onKeyDown={(e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
          e.preventDefault();
          p.onSubmit?.();
        } else {
          e.continuePropagation();
        }
      }}
    />
  );
}
