/**
 * A Graph request the emulator refuses: the HTTP status and Graph error code it is answered with
 * (`{"error":{"code","message","innerError"}}`). Thrown by the service and the routes, caught at
 * the HTTP edge only; it never escapes the server. Like the Entra emulator's HttpFailure it is
 * the wire answer itself (protocol failures are data), not one of lapsim's LapsError codes.
 */
export class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GraphFailure';
  }
}

/** 400 BadRequest. */
export function badRequest(message: string): GraphFailure {
  return new GraphFailure(400, 'BadRequest', message);
}

/** 404 ResourceNotFound for an object of `type` with `id`. */
export function notFound(type: string, id: string): GraphFailure {
  return new GraphFailure(404, 'ResourceNotFound', `${type} with id '${id.slice(0, 100)}' was not found.`);
}
