// Asks for an admin key; the page keeps it in this tab's sessionStorage only.

import { useState } from "react";
import { Button, Form, Heading, Text, TextField, View } from "@adobe/react-spectrum";

export function KeyForm({ onKey, problem }: { onKey: (key: string) => void; problem: string | null }) {
  const [key, setKey] = useState("");
  const submit = () => {
    const k = key.trim();
    if (k) onKey(k);
  };
  return (
    <View maxWidth="size-6000">
      <Heading level={2}>Sign in with an admin key</Heading>
      <Text UNSAFE_className="admin-detail">
        The key is kept in this browser tab only (session storage) and sent to the broker as Authorization: Bearer. Closing the tab forgets it.
      </Text>
      <Form
        aria-label="Admin key"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextField label="Admin key" type="password" autoComplete="off" value={key} onChange={setKey} data-testid="admin-key" autoFocus />
        <Button variant="accent" type="submit" isDisabled={!key.trim()} data-testid="admin-key-submit">
          Open the overview
        </Button>
      </Form>
      {problem && (
        <View UNSAFE_className="admin-error" padding="size-100" borderRadius="regular" marginTop="size-100" data-testid="admin-key-problem">
          <Text>{problem}</Text>
        </View>
      )}
    </View>
  );
}
