/**
 * The JSON body of a response, loosely typed: tests read arbitrary answers and assert on them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = Record<string, any>;

export async function json(response: Response): Promise<Body> {
  return (await response.json()) as Body;
}

/** Requests to a running service as a member of the seeded consortium. */
export interface ConsortiumClient {
  /** POSTs a JSON body; answers the response whatever its status. */
  send(as: string, path: string, body: unknown): Promise<Response>;
  /** POSTs a JSON body and answers the JSON; anything but a 2xx throws with the problem it got. */
  post(as: string, path: string, body: unknown): Promise<Body>;
  /** GETs, asking for `accept` (JSON by default); answers the response, to assert on status and headers. */
  get(as: string, path: string, accept?: string): Promise<Response>;
}

/**
 * The service and the consortium are made in a `beforeAll`, after the client: both are asked for
 * at each request.
 */
export function consortiumClient(service: () => { baseUrl: string }, consortium: () => { as(userId: string): Promise<Record<string, string>> }): ConsortiumClient {
  const send = async (as: string, path: string, body: unknown) =>
    fetch(`${service().baseUrl}${path}`, { method: 'POST', headers: { ...(await consortium().as(as)), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    send,
    async post(as, path, body) {
      const response = await send(as, path, body);
      const answer = await json(response);
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    },
    async get(as, path, accept = 'application/json') {
      return fetch(`${service().baseUrl}${path}`, { headers: { ...(await consortium().as(as)), accept } });
    },
  };
}
