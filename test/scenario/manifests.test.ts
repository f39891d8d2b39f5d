import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadManifestFiles, validateFile } from "../../sim/scenario/load.js";
import { applyPodDefaults } from "../../sim/scenario/manifests.js";

const dir = mkdtempSync(join(tmpdir(), "simk-manifests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function write(text: string): string {
  const file = join(dir, `m${++counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

function load(text: string) {
  return loadManifestFiles([write(text)]);
}

/** validateFile's problems, formatted, with the temp file shown by its base name. */
function problems(text: string): string[] {
  const file = write(text);
  return validateFile(file).map((p) => formatProblem({ ...p, file: basename(p.file) }).replace(`m${counter}.yaml`, "x.yaml"));
}

describe("Kubernetes defaults", () => {
  it("Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, minReadySeconds 0, namespace default", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`);
    expect(manifests).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "default" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
          minReadySeconds: 0,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {},
      },
    ]);
  });

  it("Deployment: a partial rollingUpdate is completed; Recreate gets no rollingUpdate", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: team}
spec:
  replicas: 0
  strategy: {rollingUpdate: {maxSurge: 1}}
  selector: {matchLabels: {app: a}}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec:
  strategy: {type: Recreate}
  selector: {matchLabels: {app: b}}
  template: {metadata: {labels: {app: b}}, spec: {containers: [{name: c}]}}
`);
    const [a, b] = manifests;
    if (a.kind !== "Deployment" || b.kind !== "Deployment") throw new Error("expected Deployments");
    expect(a.metadata.namespace).toBe("team");
    expect(a.spec.replicas).toBe(0);
    expect(a.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } });
    expect(b.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("ReplicaSet: replicas 1, minReadySeconds 0, status.replicas 0", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [rs, other]}]}
  template: {metadata: {labels: {app: rs}}, spec: {containers: [{name: c}]}}
`);
    expect(manifests[0]).toMatchObject({ spec: { replicas: 1, minReadySeconds: 0 }, status: { replicas: 0 } });
  });

  it("DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, zero status", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template: {metadata: {labels: {app: ds}}, spec: {containers: [{name: c}]}}
`);
    expect(manifests[0]).toMatchObject({
      metadata: { namespace: "default" },
      spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } },
      status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberReady: 0, numberMisscheduled: 0 },
    });
  });

  it("Job: parallelism 1, completions 1 when both unset, backoffLimit 6; parallelism alone leaves completions unset", () => {
    const { manifests } = load(`
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: queue}
spec:
  parallelism: 3
  template: {spec: {restartPolicy: OnFailure, containers: [{name: c}]}}
`);
    const [once, queue] = manifests;
    if (once.kind !== "Job" || queue.kind !== "Job") throw new Error("expected Jobs");
    expect(once.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: "NonIndexed" });
    expect(queue.spec.parallelism).toBe(3);
    expect(queue.spec.completions).toBeUndefined();
    expect(queue.spec.backoffLimit).toBe(6);
  });

  it("Service: ClusterIP, sessionAffinity None, TCP, targetPort = port; ClientIP gets a 10800 s timeout", () => {
    const { manifests } = load(`
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}, {port: 443, targetPort: https, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  type: NodePort
  sessionAffinity: ClientIP
  ports: [{port: 80, targetPort: 8080}]
`);
    expect(manifests[0]).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: {
        selector: { app: "web" },
        ports: [
          { port: 80, protocol: "TCP", targetPort: 80 },
          { port: 443, protocol: "TCP", targetPort: "https" },
        ],
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
      },
      status: {},
    });
    expect(manifests[1]).toMatchObject({
      spec: {
        type: "NodePort",
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        externalTrafficPolicy: "Cluster",
      },
    });
  });

  it("Pod: status Pending, requests default to limits; cluster-scoped kinds lose a namespace", () => {
    const { manifests } = load(`
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      resources:
        requests: {cpu: 100m}
        limits: {cpu: 500m, memory: 1Gi}
  initContainers:
    - name: init
      resources: {limits: {cpu: "1"}}
status: {phase: Running, podIP: 10.0.0.1}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high, namespace: ignored}
value: 1000
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
spec: {finalizers: [kubernetes]}
status: {phase: Terminating}
`);
    expect(manifests[0]).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "c", resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "500m", memory: "1Gi" } } }],
        initContainers: [{ name: "init", resources: { requests: { cpu: "1" }, limits: { cpu: "1" } } }],
      },
      status: { phase: "Pending" },
    });
    expect(manifests[1]).toEqual({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 1000,
      preemptionPolicy: "PreemptLowerPriority",
    });
    expect(manifests[2]).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" }, spec: {}, status: { phase: "Active" } });
  });

  it("applyPodDefaults leaves containers without limits alone", () => {
    const spec = { containers: [{ name: "a", resources: { requests: { cpu: "1" } } }, { name: "b" }] };
    expect(applyPodDefaults(spec)).toEqual(spec);
  });

  it("Node: capacity defaults to allocatable, pods to 110; allocatable from capacity when only that is given", () => {
    const { manifests } = load(`
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: "8", memory: 32Gi}}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
spec: {taints: [{key: gpu, effect: NoSchedule}], unschedulable: true}
status: {capacity: {cpu: "2", memory: 4Gi, pods: 20}}
`);
    expect(manifests[0]).toMatchObject({
      status: {
        allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
        capacity: { cpu: "8", memory: "32Gi", pods: "110" },
        conditions: [],
      },
    });
    expect(manifests[1]).toMatchObject({
      spec: { taints: [{ key: "gpu", effect: "NoSchedule" }], unschedulable: true },
      status: { allocatable: { cpu: "2", memory: "4Gi", pods: 20 }, capacity: { cpu: "2", memory: "4Gi", pods: 20 } },
    });
  });

  it("ResourceQuota and PodDisruptionBudget", () => {
    const { manifests } = load(`
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {requests.cpu: "10", count/pods: 50}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {minAvailable: 50%, selector: {matchLabels: {app: web}}}
`);
    expect(manifests[0]).toMatchObject({ metadata: { namespace: "default" }, spec: { hard: { "requests.cpu": "10", "count/pods": 50 } }, status: {} });
    expect(manifests[1]).toMatchObject({
      spec: { minAvailable: "50%" },
      status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
    });
  });
});

describe("kubectl output loads", () => {
  it("accepts (and drops) real fields simk does not model, server-set metadata and status", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations: {deployment.kubernetes.io/revision: "1", simk.dev/anything: "at all"}
  creationTimestamp: "2024-05-01T10:00:00Z"
  generation: 1
  labels: {app.kubernetes.io/name: web}
  name: web
  namespace: default
  resourceVersion: "4711"
  uid: 1b2c3d4e-0000-4000-8000-000000000000
  managedFields: [{manager: kubectl, operation: Update}]
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector: {matchLabels: {app.kubernetes.io/name: web}}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
    type: RollingUpdate
  template:
    metadata:
      creationTimestamp: null
      labels: {app.kubernetes.io/name: web}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          imagePullPolicy: IfNotPresent
          command: [nginx, -g, daemon off;]
          env: [{name: A, value: b}]
          ports: [{containerPort: 80, name: http, protocol: TCP}]
          livenessProbe: {httpGet: {path: /, port: http}}
          readinessProbe: {httpGet: {path: /, port: http}}
          resources: {requests: {cpu: 100m, memory: 128Mi}}
          securityContext: {runAsNonRoot: true}
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: File
          volumeMounts: [{name: cache, mountPath: /cache}]
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      serviceAccountName: web
      terminationGracePeriodSeconds: 30
      volumes: [{name: cache, emptyDir: {}}]
status:
  availableReplicas: 2
  conditions: [{type: Available, status: "True"}]
`);
    expect(manifests).toHaveLength(1);
    const d = manifests[0];
    expect(d.metadata).toEqual({
      annotations: { "deployment.kubernetes.io/revision": "1", "simk.dev/anything": "at all" },
      labels: { "app.kubernetes.io/name": "web" },
      name: "web",
      namespace: "default",
    });
    if (d.kind !== "Deployment") throw new Error("expected a Deployment");
    expect(d.status).toEqual({});
    expect(d.spec.template.metadata).toEqual({ labels: { "app.kubernetes.io/name": "web" } });
    expect(d.spec.template.spec).toEqual({
      containers: [
        {
          name: "web",
          image: "nginx:1.25",
          ports: [{ containerPort: 80, name: "http", protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
        },
      ],
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      terminationGracePeriodSeconds: 30,
    });
  });

  it("loads what `kubectl create --dry-run=client -o yaml` and `kubectl get pod -o yaml` print", () => {
    const { manifests } = load(`
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: x
  name: x
spec:
  replicas: 1
  selector:
    matchLabels:
      app: x
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: x
    spec:
      containers:
      - image: y
        name: y
        resources: {}
status: {}
---
apiVersion: v1
kind: Service
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  ports:
  - name: 80-8080
    port: 80
    protocol: TCP
    targetPort: 8080
  selector:
    app: web
  type: ClusterIP
status:
  loadBalancer: {}
---
apiVersion: v1
kind: Pod
metadata:
  generateName: web-5d4f8c7b9-
  labels: {app: web, pod-template-hash: 5d4f8c7b9}
  name: web-5d4f8c7b9-abcde
  namespace: default
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: web-5d4f8c7b9
    uid: 0c1d2e3f-0000-4000-8000-000000000000
spec:
  containers:
  - image: nginx
    name: nginx
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-x
      readOnly: true
  enableServiceLinks: true
  nodeName: worker-1
  preemptionPolicy: PreemptLowerPriority
  priority: 0
  schedulerName: default-scheduler
  serviceAccount: default
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  volumes:
  - name: kube-api-access-x
    projected: {sources: []}
status:
  phase: Running
  podIP: 10.244.1.5
  conditions: [{type: Ready, status: "True"}]
`);
    expect(manifests.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(["Deployment/x", "Service/web", "Pod/web-5d4f8c7b9-abcde"]);
    const pod = manifests[2];
    if (pod.kind !== "Pod") throw new Error("expected a Pod");
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: "web-5d4f8c7b9", controller: true });
    expect(pod.spec).toEqual({
      containers: [{ image: "nginx", name: "nginx", resources: {} }],
      nodeName: "worker-1",
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      schedulerName: "default-scheduler",
      tolerations: [{ effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 }],
    });
    expect(pod.status).toEqual({ phase: "Pending" });
  });

  it("reads a kind: List, and returns KubeSchedulerConfiguration documents raw", () => {
    const result = load(`
apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: team}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p, namespace: team}
    spec: {containers: [{name: c}]}
---
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    plugins: {score: {disabled: [{name: NodeResourcesBalancedAllocation}]}}
`);
    expect(result.manifests.map((x) => `${x.kind}/${x.metadata.namespace ?? ""}/${x.metadata.name}`)).toEqual(["Namespace//team", "Pod/team/p"]);
    expect(result.schedulerConfigs).toEqual([
      {
        apiVersion: "kubescheduler.config.k8s.io/v1",
        kind: "KubeSchedulerConfiguration",
        profiles: [{ schedulerName: "default-scheduler", plugins: { score: { disabled: [{ name: "NodeResourcesBalancedAllocation" }] } } }],
      },
    ]);
  });

  it("throws InputError listing the problems", () => {
    expect(() => load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")).toThrow(InputError);
  });
});

describe("manifest problems", () => {
  it("unknown field with did-you-mean, pointing at the key", () => {
    // Line 5 "  replicsa: 3": the key is at column 3; the path printed is the object holding it.
    expect(
      problems(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicsa: 3
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
`),
    ).toEqual(['x.yaml:5:3: spec: unknown field "replicsa" (did you mean "replicas"?)']);
  });

  it("an unknown field next to real-but-ignored ones suggests the real name", () => {
    // Line 7 "      volumeMount: []": the key is at column 7.
    expect(
      problems(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      volumeMount: []
      imagePullPolicy: Always
`),
    ).toEqual(['x.yaml:7:7: spec.containers[0]: unknown field "volumeMount" (did you mean "volumeMounts"?)']);
  });

  it("a bad quantity, a label value that is a number, and a missing required field, all at once", () => {
    // Line 6 "    version: 1" → value at column 14.
    // Line 12 "        - image: nginx" → the container mapping (missing `name`) starts at column 11.
    // Line 15 "              memory: 2 Gi" → column 23.
    const lines = problems(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    version: 1
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - image: nginx
          resources:
            requests:
              memory: 2 Gi
`);
    expect(lines).toEqual([
      'x.yaml:6:14: metadata.labels.version: expected a string, got number 1 (quote it: "1")',
      'x.yaml:13:11: spec.template.spec.containers[0]: missing required field "name"',
      expect.stringMatching(/^x\.yaml:16:23: spec\.template\.spec\.containers\[0\]\.resources\.requests\.memory: invalid quantity "2 Gi": unknown suffix " Gi"; expected /),
    ]);
  });

  it("selector does not match template labels", () => {
    // Line 8 "    metadata: {labels: {app: webx}}": the labels mapping "{app: webx}" starts at column 24.
    expect(
      problems(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata: {labels: {app: webx}}
    spec: {containers: [{name: c}]}
`),
    ).toEqual([
      "x.yaml:8:24: spec.template.metadata.labels: selector does not match template labels: spec.selector requires app=web, template labels are app=webx",
    ]);
  });

  it("a ReplicaSet without template labels, and a Job selector that does not match", () => {
    // Document 1, line 6: the template mapping "{spec: ...}" starts at column 13 → path spec.template.metadata
    // is absent, so the nearest node shown is spec.template.
    // Document 2 starts on line 8; its template labels mapping is on line 14, column 24.
    expect(
      problems(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  selector: {matchLabels: {app: rs}}
  template: {spec: {containers: [{name: c}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  selector: {matchLabels: {job: j}}
  template:
    metadata: {labels: {job: k}}
    spec: {restartPolicy: Never, containers: [{name: c}]}
`),
    ).toEqual([
      "x.yaml:6:13: spec.template.metadata: selector does not match template labels: spec.selector requires app=rs, template labels are (none)",
      "x.yaml:14:24: spec.template.metadata.labels: selector does not match template labels: spec.selector requires job=j, template labels are job=k",
    ]);
  });

  it("unsupported kind (with did-you-mean) and unsupported apiVersion, in later documents with absolute lines", () => {
    const lines = problems(`apiVersion: v1
kind: Pdo
metadata: {name: a}
---
apiVersion: apps/v1beta2
kind: Deployment
metadata: {name: b}
---
apiVersion: example.com/v1
kind: Widget
`);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'x.yaml:2:7: kind: unsupported kind "Pdo" (apiVersion "v1") (did you mean "Pod"?); supported: v1 Node, Pod, Service, Namespace, ResourceQuota, List; apps/v1 Deployment, ReplicaSet, DaemonSet; batch/v1 Job; policy/v1 PodDisruptionBudget; scheduling.k8s.io/v1 PriorityClass; kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration',
    );
    expect(lines[1]).toBe('x.yaml:5:13: apiVersion: unsupported apiVersion "apps/v1beta2" for kind Deployment: use "apps/v1"');
    expect(lines[2]).toMatch(/^x\.yaml:10:7: kind: unsupported kind "Widget" \(apiVersion "example\.com\/v1"\); supported: v1 Node/);
  });

  it("paths inside a List are prefixed with items[i]", () => {
    // items[1] starts on line 6; its "replicas: many" is on line 10, value at column 17.
    expect(
      problems(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: ok}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: rs}
    spec:
      replicas: many
      selector: {matchLabels: {a: b}}
      template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}
`),
    ).toEqual(['x.yaml:11:17: items[1].spec.replicas: expected an integer, got string "many"']);
  });

  it("duplicate objects (same kind, namespace, name), even across files", () => {
    const first = write(`apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
`);
    const second = write(`# same Service, namespace written out
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{port: 81}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec: {ports: [{port: 80}]}
`);
    try {
      loadManifestFiles([first, second]);
      expect.fail("expected an InputError");
    } catch (e) {
      expect((e as InputError).problems).toEqual([
        {
          file: second,
          line: 4,
          column: 18,
          path: "metadata.name",
          message: `duplicate Service/default/web: already defined at ${first}:3:18`,
        },
      ]);
    }
  });

  it("Job restartPolicy, requests above limits, and a PDB with both minAvailable and maxUnavailable", () => {
    expect(
      problems(`apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      containers:
        - name: c
          resources:
            requests: {cpu: "2"}
            limits: {cpu: 1500m}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec:
  minAvailable: 1
  maxUnavailable: 1
`),
    ).toEqual([
      // restartPolicy is absent: shown at the pod spec, whose mapping starts on line 7.
      "x.yaml:7:7: spec.template.spec: a Job's restartPolicy must be OnFailure or Never, got nothing (it defaults to Always)",
      'x.yaml:10:29: spec.template.spec.containers[0].resources.requests.cpu: request 2 must be less than or equal to the cpu limit 1500m',
      "x.yaml:18:19: spec.maxUnavailable: minAvailable and maxUnavailable are mutually exclusive: set only one",
    ]);
  });

  it("a Node without cpu/memory, an empty workload selector, a Deployment pod that may not restart", () => {
    expect(
      problems(`apiVersion: v1
kind: Node
metadata: {name: n}
status: {capacity: {cpu: "2"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {}
  template:
    metadata: {labels: {app: d}}
    spec: {restartPolicy: Never, containers: [{name: c}]}
`),
    ).toEqual([
      // No status.allocatable: shown at status, line 4 column 9.
      "x.yaml:4:9: status.allocatable: a Node needs status.allocatable (or status.capacity) with cpu and memory; missing memory",
      "x.yaml:10:13: spec.selector: selector must not be empty: set matchLabels (or matchExpressions) to select the template's labels",
      'x.yaml:13:27: spec.template.spec.restartPolicy: a Deployment\'s restartPolicy must be Always, got "Never"',
    ]);
  });

  it("int-or-percent, enum and name format errors say what is allowed", () => {
    expect(
      problems(`apiVersion: apps/v1
kind: Deployment
metadata: {name: Web_1}
spec:
  strategy: {type: rolling, rollingUpdate: {maxSurge: "25"}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, resources: {requests: {cpus: 1}}}]
      tolerations: [{key: k, operator: Exist}]
`),
    ).toEqual([
      `x.yaml:3:18: metadata.name: must be a lowercase RFC 1123 subdomain: lower case alphanumerics, '-' or '.', starting and ending with an alphanumeric (e.g. "example.com"); got "Web_1"`,
      'x.yaml:5:20: spec.strategy.type: type must be one of RollingUpdate, Recreate; got string "rolling"',
      'x.yaml:5:55: spec.strategy.rollingUpdate.maxSurge: expected a percentage such as "25%", got string "25"',
      'x.yaml:10:53: spec.template.spec.containers[0].resources.requests: unknown resource "cpus": expected one of cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain such as nvidia.com/gpu (did you mean "cpu"?)',
      'x.yaml:11:40: spec.template.spec.tolerations[0].operator: operator must be one of Exists, Equal; got string "Exist" (did you mean "Exists"?)',
    ]);
  });

  it("YAML syntax errors give file:line:col and yaml's message; other documents are still checked", () => {
    // The repeated key is at line 3, column 1; "metadata: {name: B}" has the name at column 18.
    expect(
      problems(`apiVersion: v1
kind: Namespace
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: B}
`),
    ).toEqual([
      "x.yaml:3:1: invalid YAML: Map keys must be unique",
      'x.yaml:8:18: metadata.name: must be a lowercase RFC 1123 label: lower case alphanumerics or \'-\', starting and ending with an alphanumeric (e.g. "my-name" or "123-abc"); got "B"',
    ]);
  });

  it("a document that is not a mapping, or lacks kind", () => {
    expect(problems(`- just\n- a list\n---\napiVersion: v1\nmetadata: {name: x}\n`)).toEqual([
      "x.yaml:1:1: expected a Kubernetes manifest (a mapping with apiVersion and kind), got a list",
      'x.yaml:4:1: missing required field "kind"',
    ]);
  });

  it("a Scenario document is not allowed among plain manifests", () => {
    const file = write("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
    const scenario = write("apiVersion: simk.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec: {duration: 1m}\n");
    expect(() => loadManifestFiles([file, scenario])).toThrow(/:2:7: kind: a Scenario document is not allowed in a manifest file/);
  });
});
