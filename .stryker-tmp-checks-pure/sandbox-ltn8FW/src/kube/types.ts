// @ts-nocheck
// The few shapes of Kubernetes objects the kube checks read, as the API server's JSON has them (a subset of
// the client's V1Deployment / V1ReplicaSet / V1Pod), so that the pure parts (rollout, history, undo) need no client.

export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ controller?: boolean; uid?: string; kind?: string; name?: string }>;
  creationTimestamp?: Date | string;
  deletionTimestamp?: Date | string;
}

export interface ContainerLike {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodTemplateLike {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers: ContainerLike[]; initContainers?: ContainerLike[] };
}

export interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface DeploymentLike {
  metadata?: ObjectMetaLike;
  spec?: {
    replicas?: number;
    paused?: boolean;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplateLike;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: ConditionLike[];
  };
}

export interface NamespaceLike {
  metadata?: ObjectMetaLike;
  status?: { phase?: string };
}

export interface ReplicaSetLike {
  metadata?: ObjectMetaLike;
  spec?: { replicas?: number; template?: PodTemplateLike };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface PodLike {
  metadata?: ObjectMetaLike;
  spec?: { containers: ContainerLike[] };
  status?: {
    phase?: string;
    conditions?: ConditionLike[];
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount?: number;
      state?: { running?: unknown; waiting?: { reason?: string }; terminated?: { reason?: string } };
    }>;
  };
}
