/**
 * The OCI image configuration (application/vnd.oci.image.config.v1+json, and Docker's
 * config, which has the same fields). Every field is optional because registries hold
 * configs written by many tools; unknown fields are kept by whoever reads the raw bytes.
 * https://github.com/opencontainers/image-spec/blob/main/config.md
 */
export interface ImageConfig {
  /** CPU architecture, GOARCH spelling: "amd64", "arm64". */
  architecture?: string;
  /** Operating system, GOOS spelling: "linux", "windows". */
  os?: string;
  /** CPU variant: "v7", "v8". */
  variant?: string;
  /** "os.version" in the JSON; Windows images set it. */
  'os.version'?: string;
  /** RFC 3339 time the image was created. */
  created?: string;
  author?: string;
  /** How a container from this image runs. */
  config?: ImageRunConfig;
  rootfs?: { type: string; diff_ids: string[] };
  /** One entry per build step, layer-creating or not. */
  history?: ImageHistoryEntry[];
}

/** The `config` member of an image configuration: defaults for a container. */
export interface ImageRunConfig {
  User?: string;
  /** "NAME=value" pairs. */
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  /** Keys like "8080/tcp"; values are empty objects. */
  ExposedPorts?: Record<string, object>;
  /** Keys are paths; values are empty objects. */
  Volumes?: Record<string, object>;
  StopSignal?: string;
}

export interface ImageHistoryEntry {
  created?: string;
  created_by?: string;
  /** True for a step that made no layer (ENV, CMD, ...). */
  empty_layer?: boolean;
  comment?: string;
  author?: string;
}
