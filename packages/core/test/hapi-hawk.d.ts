/** The parts of @hapi/hawk 8 (which ships no types) that the Hawk tests use. */
declare module "@hapi/hawk" {
  export interface Credentials {
    readonly id?: string
    readonly key: string
    readonly algorithm: "sha1" | "sha256"
  }

  export interface RequestArtifacts {
    readonly method: string
    readonly host: string
    readonly port: number | string
    readonly resource: string
    readonly ts: number | string
    readonly nonce: string
    readonly hash?: string | undefined
    readonly ext?: string | undefined
  }

  export interface ClientHeaderOptions {
    readonly credentials: Credentials & { readonly id: string }
    readonly ext?: string
    readonly timestamp?: number
    readonly nonce?: string
    readonly localtimeOffsetMsec?: number
    readonly payload?: string
    readonly contentType?: string
    readonly hash?: string
  }

  export interface NodeLikeRequest {
    readonly method: string
    readonly url: string
    readonly headers: Readonly<Record<string, string | undefined>>
  }

  export interface ServerAuthenticateOptions {
    readonly timestampSkewSec?: number
    readonly localtimeOffsetMsec?: number
    readonly payload?: string
    readonly host?: string
    readonly port?: number
  }

  export const client: {
    header(
      uri: string,
      method: string,
      options: ClientHeaderOptions
    ): { readonly header: string; readonly artifacts: RequestArtifacts }
    authenticate(
      res: { readonly headers: Readonly<Record<string, string | undefined>> },
      credentials: Credentials,
      artifacts: RequestArtifacts,
      options?: { readonly payload?: string; readonly required?: boolean }
    ): unknown
  }

  export const server: {
    authenticate(
      req: NodeLikeRequest,
      credentialsFunc: (id: string) => Promise<Credentials | null> | Credentials | null,
      options?: ServerAuthenticateOptions
    ): Promise<{ readonly credentials: Credentials; readonly artifacts: RequestArtifacts }>
  }

  export const crypto: {
    calculateTsMac(ts: number | string, credentials: Credentials): string
    calculatePayloadHash(payload: string, algorithm: "sha1" | "sha256", contentType: string): string
  }
}
