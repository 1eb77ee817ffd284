/**
 * The JSON body of a response, loosely typed: tests read arbitrary answers and assert on them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = Record<string, any>;

export async function json(response: Response): Promise<Body> {
  return (await response.json()) as Body;
}
