// The latest quota the host passed on, for the parts of the panel that show the wait.

import { createContext, useContext } from "react";
import type { QuotaView } from "../../common/protocol/quota-schema";

export const QuotaContext = createContext<QuotaView | null>(null);

export function useQuota(): QuotaView | null {
  return useContext(QuotaContext);
}
