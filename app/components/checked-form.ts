import { useSubmit } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import type { $ZodType } from "zod/v4/core";
import type { Message } from "~/i18n/i18n";
import { parseForm, type FieldErrors } from "./forms";

/**
 * A form checked in the browser by the server's own schema, without react-hook-form: for the resident's ballot,
 * whose radio buttons and hidden fields need no more and where react-hook-form would outweigh the page's own code
 * (decision 012). On submit, the fields go through parseForm as the action will read them, the button pressed
 * included; a refused form stays on the page with its errors, an accepted one is submitted as usual. Inputs stay
 * plain named inputs, so the form posts the same without JavaScript.
 */
export function useCheckedForm<S extends $ZodType>(schema: S, serverErrors: FieldErrors | undefined) {
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const submit = useSubmit();

  function errorFor(name: string): Message | undefined {
    return clientErrors ? clientErrors[name] : serverErrors?.[name];
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const parsed = parseForm(schema, new FormData(target, submitter));
    setClientErrors(parsed.ok ? null : parsed.errors);
    if (parsed.ok) submit(submitter ?? target);
  }

  /** The props of an input the schema reads: its name (the same as react-hook-form's register, for a plain input). */
  function register(name: string) {
    return { name };
  }

  return { register, errorFor, onSubmit };
}
