//! Tests of pastes that show a pod's status but not its cause (issue 8): a `kubectl describe pod`
//! or pod YAML/JSON read the way `kubectl get pods` would list it (`listed_status`), and whether a
//! describe's Events section was pasted.

use crate::evidence::When;

use super::tests_paste::{formats, parse_text};

const PENDING_DESCRIBE: &str = "Name:           drupal-649465dd9f-s9cqd\nNamespace:      default\nNode:           <none>\nStatus:         Pending\nIP:\nControlled By:  ReplicaSet/drupal-649465dd9f\nContainers:\n  drupal:\n    Image:        drupal:latest\n    Port:         30080/TCP\nConditions:\n  Type           Status\n  PodScheduled   False\n";

#[test]
fn describe_pending_with_no_node_and_no_container_state_lists_as_pending() {
    let (ev, s) = parse_text(PENDING_DESCRIBE);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    let p = &ev.pods[0];
    assert_eq!(p.listed_status.as_deref(), Some("Pending"));
    assert_eq!(p.node_name, None);
    assert_eq!(p.created, None);
    // Cut before its Events section.
    assert!(!p.events_shown);
}

#[test]
fn describe_events_section_pasted_or_none() {
    let (ev, _) = parse_text(&format!("{PENDING_DESCRIBE}Events:          <none>\n"));
    assert!(ev.pods[0].events_shown);
    let (ev, _) = parse_text(&format!(
        "{PENDING_DESCRIBE}Events:\n  Type     Reason            Age   From               Message\n  ----     ------            ----  ----               -------\n  Warning  FailedScheduling  37s   default-scheduler  0/3 nodes are available: 3 Insufficient cpu.\n"
    ));
    assert!(ev.pods[0].events_shown);
    assert_eq!(ev.pods[0].listed_status.as_deref(), Some("Pending"));
}

#[test]
fn describe_with_a_container_state_or_a_gate_is_not_listed_pending() {
    // A container waiting (ContainerCreating): kubectl would print its reason, not `Pending`.
    let text = "Name:         web-1\nNamespace:    shop\nNode:         node-a/10.0.0.4\nStatus:       Pending\nContainers:\n  web:\n    Image:          nginx\n    State:          Waiting\n      Reason:       ContainerCreating\n    Ready:          False\n    Restart Count:  0\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].listed_status, None);
    // `Scheduling Gates:` names a gate: listed as SchedulingGated.
    let text = format!("{PENDING_DESCRIBE}Scheduling Gates:  example.com/quota\n");
    let (ev, _) = parse_text(&text);
    assert_eq!(ev.pods[0].listed_status.as_deref(), Some("SchedulingGated"));
    // Deleted while Pending: Terminating, not Pending.
    let text = PENDING_DESCRIBE.replace(
        "Status:         Pending",
        "Status:         Terminating (lasts 3m)",
    );
    let (ev, _) = parse_text(&text);
    assert_eq!(ev.pods[0].listed_status, None);
}

// https://github.com/openshift/origin/issues/1483 (describe of 2015: the node is `Host:`).
#[test]
fn describe_of_2015_names_the_node_host() {
    let text = "Name:\t\t\t\tdocker-registry-1-sq8qz\nImage(s):\t\t\topenshift/origin-docker-registry:v0.4.2\nHost:\t\t\t\tdeads-dev-01/fe80::2ad2:44ff:fe7d:c82b\nStatus:\t\t\t\tPending\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("deads-dev-01"));
}

#[test]
fn pod_yaml_pending_with_no_status_of_containers_lists_as_pending_and_dated() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: trainer-0\n  namespace: ml\n  creationTimestamp: \"2024-05-14T08:12:03Z\"\nspec:\n  containers:\n  - name: trainer\n    image: trainer:1\nstatus:\n  phase: Pending\n";
    let (ev, _) = parse_text(text);
    let p = &ev.pods[0];
    assert_eq!(p.listed_status.as_deref(), Some("Pending"));
    assert_eq!(p.created, Some(When::Absolute(1_715_674_323)));
    // A waiting container: not `Pending` in a listing.
    let text = format!(
        "{text}  containerStatuses:\n  - name: trainer\n    ready: false\n    restartCount: 0\n    state:\n      waiting:\n        reason: ContainerCreating\n"
    );
    let (ev, _) = parse_text(&text);
    assert_eq!(ev.pods[0].listed_status, None);
    // JSON, gated by spec.schedulingGates.
    let json = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"g-0","namespace":"ml"},"spec":{"schedulingGates":[{"name":"example.com/quota"}],"containers":[{"name":"c","image":"busybox"}]},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated","message":"Scheduling is blocked due to non-empty scheduling gates"}]}}"#;
    let (ev, _) = parse_text(json);
    assert_eq!(ev.pods[0].listed_status.as_deref(), Some("SchedulingGated"));
}

fn terminated_exit(ev: &crate::evidence::Evidence, name: &str) -> Option<i32> {
    ev.containers
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| match &c.state {
            Some(crate::evidence::ContainerState::Terminated { exit_code, .. }) => *exit_code,
            _ => None,
        })
}

// https://github.com/tektoncd/pipeline/issues/6664 (a PipelineRun's taskRuns status, message
// folded by YAML's `>`).
#[test]
fn tekton_step_exit_message_in_a_pipelinerun_status_is_the_step_container() {
    let text = "status:\n  taskRuns:\n    apm-sqclr-generated-version:\n      status:\n        conditions:\n          - lastTransitionTime: 2023-05-12T09:26:46Z\n            message: >\n              \"step-deprecated-tips\" exited with code 1 (image:\n              \"registry.com/devops/kubectl-devops@sha256:68e1f19c\");\n              for logs run: kubectl -n dev logs\n              apm-sqclr-generated-version-pod -c step-deprecated-tips\n            reason: Failed\n            status: \"False\"\n            type: Succeeded\n";
    let (ev, _) = parse_text(text);
    assert_eq!(terminated_exit(&ev, "step-deprecated-tips"), Some(1));
}

// The layout of a TaskRun's `status.steps` (https://github.com/tektoncd/pipeline/issues/682),
// names and codes ours.
#[test]
fn tekton_taskrun_steps_are_containers() {
    let text = "apiVersion: tekton.dev/v1beta1\nkind: TaskRun\nmetadata:\n  name: build-run\nstatus:\n  podName: build-run-pod-55cc64\n  steps:\n  - container: step-git-source\n    name: git-source\n    terminated:\n      exitCode: 0\n      reason: Completed\n  - name: build\n    terminated:\n      exitCode: 2\n      reason: Error\n";
    let (ev, _) = parse_text(text);
    assert_eq!(terminated_exit(&ev, "step-git-source"), Some(0));
    assert_eq!(terminated_exit(&ev, "step-build"), Some(2));
}

// https://github.com/tektoncd/pipeline/issues/1944 (`kubectl describe taskrun`: the condition's
// fields one per line).
#[test]
fn tekton_describe_condition_message_names_the_failed_step() {
    let text = "    Conditions:\n      Last Transition Time:  2020-01-27T13:39:54Z\n      Message:               \"step-task-one-step-two\" exited with code 1 (image: \"docker-pullable://ubuntu@sha256:8d31\"); for logs run: kubectl -n default logs run-pod-glmb2 -c step-task-one-step-two\n      Reason:                Failed\n      Status:                False\n      Type:                  Succeeded\n";
    let (ev, _) = parse_text(text);
    assert_eq!(terminated_exit(&ev, "step-task-one-step-two"), Some(1));
}

#[test]
fn an_application_saying_exited_with_code_is_not_a_container_status() {
    for line in [
        "worker \"indexer\" exited with code 1, restarting",
        "2024-05-01 12:00:00 ERROR child process exited with code 1",
    ] {
        let (ev, _) = parse_text(&format!("{line}\n"));
        assert!(ev.containers.is_empty(), "{line}: {:?}", ev.containers);
    }
}

// A Knative Service's status as in https://github.com/knative/serving/pull/14835: the Revision's
// failure relayed by the ConfigurationsReady condition (image name ours).
#[test]
fn knative_revision_failure_message_is_offered_as_its_own_message() {
    let text = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: helloworld-go\nstatus:\n  conditions:\n  - lastTransitionTime: \"2024-04-02T09:18:31Z\"\n    message: 'Revision \"helloworld-go-00001\" failed with message: Back-off pulling image \"index.docker.io/skonto/helloworld-go:v2\".'\n    reason: RevisionFailed\n    status: \"False\"\n    type: ConfigurationsReady\n";
    let (ev, _) = parse_text(text);
    let m = ev
        .messages
        .iter()
        .find(|m| m.message.starts_with("Back-off pulling image"))
        .unwrap_or_else(|| panic!("{:?}", ev.messages));
    assert_eq!(m.reason.as_deref(), Some("BackOff"));
}

#[test]
fn get_pods_running_row_with_unready_containers_gives_a_running_unready_container() {
    let (ev, _) = parse_text(
        "NAME                     READY   STATUS    RESTARTS   AGE\ngitea-7b5d57d5b6-m7ntq   2/3     Running   0          6m12s\nmemcached-5c9b7d8f-x2    1/1     Running   0          6m12s\n",
    );
    assert_eq!(ev.containers.len(), 1, "{:?}", ev.containers);
    let c = &ev.containers[0];
    assert_eq!(c.pod.as_deref(), Some("gitea-7b5d57d5b6-m7ntq"));
    assert_eq!(c.ready, Some(false));
    assert!(matches!(
        c.state,
        Some(crate::evidence::ContainerState::Running { .. })
    ));
    // A watch that shows it ready later: the unready container is over.
    let (ev, _) = parse_text(
        "NAME    READY   STATUS    RESTARTS   AGE\napi-0   0/1     Running   0          3m\napi-0   1/1     Running   0          3m20s\n",
    );
    assert!(ev.containers.is_empty(), "{:?}", ev.containers);
}

#[test]
fn describe_hpa_conditions_that_report_trouble_are_its_events() {
    let text = "Name:                                                  web\nNamespace:                                             shop\nReference:                                             Deployment/web\nMin replicas:                                          2\nMax replicas:                                          10\nConditions:\n  Type            Status  Reason                   Message\n  ----            ------  ------                   -------\n  AbleToScale     True    SucceededGetScale        the HPA controller was able to get the target's current scale\n  ScalingActive   False   FailedGetResourceMetric  the HPA was unable to compute the replica count: unable to get metrics for resource cpu: no metrics returned from resource metrics API\n  ScalingLimited  False   DesiredWithinRange       the desired count is within the acceptable range\nEvents:           <none>\n";
    let (ev, _) = parse_text(text);
    assert!(ev.pods.is_empty(), "{:?}", ev.pods);
    assert_eq!(ev.events.len(), 1, "{:?}", ev.events);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("FailedGetResourceMetric"));
    assert_eq!(e.object_kind.as_deref(), Some("HorizontalPodAutoscaler"));
    assert_eq!(e.object_name.as_deref(), Some("web"));
    assert!(e
        .message
        .ends_with("no metrics returned from resource metrics API"));
}

#[test]
fn describe_pvc_is_a_claim_and_its_events_are_the_claims() {
    let text = "Name:          hub-db-dir\nNamespace:     jhub\nStorageClass:\nStatus:        Pending\nVolume:\nLabels:        <none>\nAnnotations:   <none>\nCapacity:\nAccess Modes:\nEvents:\n  Type    Reason         Age                From                         Message\n  ----    ------         ----               ----                         -------\n  Normal  FailedBinding  13s (x25 over 6m)  persistentvolume-controller  no persistent volumes available for this claim and no storage class is set\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe"]);
    assert!(ev.pods.is_empty() && ev.node_conditions.is_empty());
    let c = &ev.claims[0];
    assert_eq!(
        (c.name.as_str(), c.status.as_str()),
        ("hub-db-dir", "Pending")
    );
    assert_eq!(c.namespace.as_deref(), Some("jhub"));
    assert_eq!(
        (c.storage_class.as_deref(), c.volume.as_deref()),
        (None, None)
    );
    assert_eq!(
        ev.events[0].object_kind.as_deref(),
        Some("PersistentVolumeClaim")
    );
}

#[test]
fn describe_deployment_is_neither_a_pod_nor_a_node() {
    let (ev, s) = parse_text("Name:                   web\nNamespace:              shop\nCreationTimestamp:      Mon, 03 Jun 2024 09:12:40 +0000\nLabels:                 app=web\nAnnotations:            deployment.kubernetes.io/revision: 2\nSelector:               app=web\nReplicas:               3 desired | 1 updated | 4 total | 3 available | 1 unavailable\nStrategyType:           RollingUpdate\nMinReadySeconds:        0\nRollingUpdateStrategy:  25% max unavailable, 25% max surge\nPod Template:\n  Labels:  app=web\n  Containers:\n   web:\n    Image:        nginx:1.27\n    Port:         80/TCP\n    Host Port:    0/TCP\n    Environment:  <none>\n    Mounts:       <none>\n  Volumes:        <none>\nConditions:\n  Type           Status  Reason\n  ----           ------  ------\n  Available      True    MinimumReplicasAvailable\n  Progressing    False   ProgressDeadlineExceeded\nOldReplicaSets:  web-7d9f8c6b5 (3/3 replicas created)\nNewReplicaSet:   web-5c8d7b9f4 (1/1 replicas created)\nEvents:          <none>\n");
    assert_eq!(formats(&s), vec!["describe"]);
    assert!(ev.pods.is_empty() && ev.node_conditions.is_empty() && ev.pod_conditions.is_empty());
    assert_eq!(ev.events.len(), 1, "{:?}", ev.events);
    assert_eq!(
        ev.events[0].reason.as_deref(),
        Some("ProgressDeadlineExceeded")
    );
    assert_eq!(ev.events[0].object_kind.as_deref(), Some("Deployment"));
}

// The shape of heptio eventrouter's line (as in the paste of
// https://github.com/ministryofjustice/cloud-platform/issues/2389), closed and shortened here.
#[test]
fn an_event_nested_in_a_wrapper_is_read_as_an_event() {
    let text = r#"{"verb":"UPDATED","event":{"metadata":{"name":"web-1.1638f4f7989b4df4","namespace":"shop"},"involvedObject":{"kind":"Pod","namespace":"shop","name":"web-1","fieldPath":"spec.containers{web}"},"reason":"Unhealthy","message":"Readiness probe failed: HTTP probe failed with statuscode: 500","source":{"component":"kubelet"},"count":5,"type":"Warning"}}"#;
    let (ev, s) = parse_text(&format!("{text}\n"));
    assert_eq!(ev.events.len(), 1, "{:?} {:?}", ev.events, s.segments);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(e.count, Some(5));
    assert_eq!(e.object_name.as_deref(), Some("web-1"));
    // A watch's wrapper around a pod.
    let text = r#"{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"db-0","namespace":"data"},"status":{"phase":"Running","containerStatuses":[{"name":"db","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}}"#;
    let (ev, _) = parse_text(&format!("{text}\n"));
    assert_eq!(ev.pods[0].name.as_deref(), Some("db-0"));
    assert_eq!(ev.containers[0].restart_count, Some(4));
}

#[test]
fn describe_probe_lines_are_the_containers_probes() {
    let text = "Name:         web-1\nNamespace:    shop\nNode:         node-a/10.0.0.4\nStatus:       Running\nContainers:\n  web:\n    Image:          nginx\n    State:          Running\n      Started:      Tue, 01 Dec 2026 09:12:52 +0000\n    Ready:          False\n    Restart Count:  0\n    Liveness:       tcp-socket :80 delay=5s timeout=1s period=10s #success=1 #failure=3\n    Readiness:      http-get http://:80/ready delay=0s timeout=1s period=5s #success=1 #failure=3\n    Environment:    <none>\n  sidecar:\n    Image:          busybox\n    State:          Running\n    Ready:          True\n    Restart Count:  0\n";
    let (ev, _) = parse_text(text);
    let web = ev.containers.iter().find(|c| c.name == "web").unwrap();
    assert_eq!(
        web.probes.liveness.as_deref(),
        Some("tcp-socket :80 delay=5s timeout=1s period=10s #success=1 #failure=3")
    );
    assert_eq!(
        web.probes.readiness.as_deref(),
        Some("http-get http://:80/ready delay=0s timeout=1s period=5s #success=1 #failure=3")
    );
    assert_eq!(web.probes.startup, None);
    // The next container's block starts clean.
    let sidecar = ev.containers.iter().find(|c| c.name == "sidecar").unwrap();
    assert!(sidecar.probes.is_empty());
}

#[test]
fn pod_yaml_spec_probes_are_rendered_as_describe_prints_them() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db-0\n  namespace: data\nspec:\n  containers:\n  - name: db\n    image: postgres:16\n    livenessProbe:\n      exec:\n        command: [pg_isready, -U, postgres]\n      initialDelaySeconds: 30\n      timeoutSeconds: 5\n    readinessProbe:\n      tcpSocket:\n        port: 5432\n    startupProbe:\n      grpc:\n        port: 9090\n  - name: exporter\n    image: exporter:1\n    readinessProbe:\n      httpGet:\n        path: /metrics\n        port: metrics\n        scheme: HTTPS\n      periodSeconds: 20\nstatus:\n  phase: Running\n  containerStatuses:\n  - name: db\n    ready: false\n    restartCount: 0\n    state:\n      running:\n        startedAt: \"2026-12-01T08:02:19Z\"\n  - name: exporter\n    ready: true\n    restartCount: 0\n    state:\n      running:\n        startedAt: \"2026-12-01T08:02:19Z\"\n";
    let (ev, _) = parse_text(text);
    let db = ev.containers.iter().find(|c| c.name == "db").unwrap();
    assert_eq!(
        db.probes.liveness.as_deref(),
        Some("exec [pg_isready -U postgres] delay=30s timeout=5s period=10s #success=1 #failure=3")
    );
    assert_eq!(
        db.probes.readiness.as_deref(),
        Some("tcp-socket :5432 delay=0s timeout=1s period=10s #success=1 #failure=3")
    );
    assert_eq!(
        db.probes.startup.as_deref(),
        Some("grpc <pod>:9090 delay=0s timeout=1s period=10s #success=1 #failure=3")
    );
    let ex = ev.containers.iter().find(|c| c.name == "exporter").unwrap();
    assert_eq!(
        ex.probes.readiness.as_deref(),
        Some("http-get https://:metrics/metrics delay=0s timeout=1s period=20s #success=1 #failure=3")
    );
    assert_eq!(ex.probes.liveness, None);
}

#[test]
fn get_pods_rows_behind_a_ci_clock_are_a_listing() {
    let text = "11:32:11  + kubectl get pods -o wide\n11:32:11  NAME      READY   STATUS             RESTARTS        AGE\n11:32:11  bookie-0  0/1     CrashLoopBackOff   6 (2m38s ago)   12m\n11:32:11  bookie-1  1/1     Running            0               12m\n";
    let (ev, s) = parse_text(text);
    assert!(formats(&s).contains(&"get-pods"), "{:?}", formats(&s));
    let c = ev
        .containers
        .iter()
        .find(|c| c.pod.as_deref() == Some("bookie-0"))
        .expect("bookie-0's container");
    assert!(matches!(
        &c.state,
        Some(crate::evidence::ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff"
    ));
    // Headerless rows too.
    let (ev, _) = parse_text("11:32:11  bookie-0  0/1  CrashLoopBackOff  6 (2m38s ago)  12m\n");
    assert!(ev
        .containers
        .iter()
        .any(|c| c.pod.as_deref() == Some("bookie-0")));
}

// https://github.com/velero-io/velero/issues/3851: a `terminated:` state pasted alone, every key
// moved to column 0.
#[test]
fn flattened_terminated_state_without_its_list_is_read() {
    use crate::evidence::ContainerState;
    let text = "...\nterminated:\ncontainerID: cri-o://33fa50\nexitCode: 137\nfinishedAt: \"2021-06-07T22:09:47Z\"\nreason: OOMKilled\nstartedAt: \"2021-06-07T17:22:05Z\"\n...\n";
    let (ev, _) = parse_text(text);
    let states: Vec<_> = ev
        .containers
        .iter()
        .filter_map(|c| c.state.as_ref())
        .collect();
    assert!(
        matches!(states.as_slice(), [ContainerState::Terminated { reason: Some(r), exit_code: Some(137), .. }] if r == "OOMKilled"),
        "{:?}",
        ev.containers
    );
    // `lastState:` first: the state read is the last one.
    let text = "lastState:\nterminated:\nexitCode: 1\nreason: Error\n";
    let (ev, _) = parse_text(text);
    assert!(
        matches!(ev.containers.as_slice(), [c] if matches!(c.last_state, Some(ContainerState::Terminated { exit_code: Some(1), .. }))),
        "{:?}",
        ev.containers
    );
}

// https://github.com/tektoncd/cli/pull/1088: TaskRun steps dumped with Go field names in lower
// case; `waiting: null` is no state.
#[test]
fn go_field_names_in_lower_case_are_read_as_the_api_keys() {
    use crate::evidence::ContainerState;
    let text = "status:\n  steps:\n  - containerstate:\n      waiting: null\n      running: null\n      terminated:\n        exitcode: 2\n        signal: 0\n        reason: Error\n        finishedat: \"2020-08-10T14:36:03Z\"\n    name: build\n    containername: step-build\n  - containerstate:\n      waiting: null\n      running: null\n";
    let (ev, _) = parse_text(text);
    assert!(
        matches!(ev.containers.as_slice(), [c] if c.name == "build" && matches!(c.state, Some(ContainerState::Terminated { exit_code: Some(2), .. }))),
        "{:?}",
        ev.containers
    );
}

// https://github.com/clusternet/clusternet/issues/91: a status without its spec; `hostIP` says the
// pod is on a node.
#[test]
fn status_only_yaml_with_a_host_ip_is_on_a_node() {
    let text = "status:\n  containerStatuses:\n  - image: nginx\n    name: web\n    ready: false\n    restartCount: 0\n    state:\n      waiting:\n        reason: ContainerCreating\n  hostIP: 10.0.0.7\n  phase: Pending\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("10.0.0.7"));
    let (ev, _) = parse_text(&text.replace("  hostIP: 10.0.0.7\n", ""));
    assert_eq!(ev.pods[0].node_name, None);
}

// https://github.com/kubernetes-sigs/vsphere-csi-driver/pull/501: a claim pasted from `spec:` on.
#[test]
fn claim_without_metadata_gives_its_resize_condition() {
    let text = "spec:\n  accessModes:\n  - ReadWriteOnce\n  resources:\n    requests:\n      storage: 2Gi\n  volumeName: pvc-a7ba\nstatus:\n  capacity:\n    storage: 1Gi\n  conditions:\n  - lastProbeTime: null\n    lastTransitionTime: \"2021-01-11T23:44:15Z\"\n    status: \"True\"\n    type: FileSystemResizePending\n  phase: Bound\n";
    let (ev, _) = parse_text(text);
    assert!(ev.claims.is_empty());
    assert!(
        ev.events
            .iter()
            .any(|e| e.reason.as_deref() == Some("FileSystemResizePending")
                && e.object_kind.as_deref() == Some("PersistentVolumeClaim")),
        "{:?}",
        ev.events
    );
    // A StatefulSet's claim template (no volume, no capacity, no namespace) is no claim.
    let text = "spec:\n  accessModes:\n  - ReadWriteOnce\n  resources:\n    requests:\n      storage: 2Gi\nstatus:\n  phase: Pending\n";
    let (ev, _) = parse_text(text);
    assert!(ev.claims.is_empty() && ev.events.is_empty());
}

// https://github.com/ministryofjustice/cloud-platform/issues/2389: one-line JSON (an event
// router's) cut in the paste: read up to its last complete value.
#[test]
fn one_line_json_cut_mid_value_is_closed_at_its_last_comma() {
    let text = "{\"verb\":\"UPDATED\",\"event\":{\"metadata\":{\"name\":\"web.1\",\"namespace\":\"shop\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"shop\",\"name\":\"web\"},\"reason\":\"Unhealthy\",\"message\":\"Readiness probe failed: HTTP probe failed with statuscode: 500\",\"type\":\"Warning\"},\"old_event\":{\"metadata\":{\"name\":\"web.1\",\"resourceV\n";
    let (ev, _) = parse_text(text);
    assert!(
        ev.events
            .iter()
            .any(|e| e.reason.as_deref() == Some("Unhealthy")),
        "{:?}",
        ev.events
    );
}

// https://github.com/kubeflow/spark-operator/issues/1314: the operator's summary of the driver's
// exit, in the SparkApplication's status and in `kubectl describe sparkapplication`.
#[test]
fn spark_operator_driver_exit_is_the_driver_container() {
    use crate::evidence::ContainerState;
    assert_eq!(
        super::text::step_exit("driver container failed with ExitCode: 137, Reason: OOMKilled"),
        Some((
            "spark-kubernetes-driver".into(),
            137,
            Some("OOMKilled".into())
        ))
    );
    let text = "{\n  \"applicationState\": {\n    \"state\": \"FAILED\",\n    \"errorMessage\": \"driver container failed with ExitCode: 1, Reason: Error\"\n  }\n}\n";
    let (ev, _) = parse_text(text);
    assert!(
        matches!(ev.containers.as_slice(), [c] if c.name == "spark-kubernetes-driver" && matches!(&c.state, Some(ContainerState::Terminated { exit_code: Some(1), reason: Some(r), .. }) if r == "Error")),
        "{:?}",
        ev.containers
    );
}

// https://github.com/Azure/aks-engine/issues/2064: `Name:` at the margin, every other line one
// space in.
#[test]
fn describe_whose_first_line_lost_the_common_indent_is_read() {
    let text = "Name:               web-1\n Namespace:          default\n Node:               node-a/10.240.0.5\n Status:             Pending\n Containers:\n   web:\n     Image:          nginx\n     State:          Waiting\n       Reason:       ContainerCreating\n     Ready:          False\n     Restart Count:  0\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("node-a"));
    assert_eq!(ev.containers.len(), 1);
}

// `crictl inspect` prints the CRI ContainerStatus as JSON (cri-tools, `status` beside `info`) or
// YAML (`-o yaml`, as in kata-containers/tests#714); users also paste `| jq .status` with members
// deleted by hand, which leaves a comma before the closing brace (cri-o/cri-o#4203). The state,
// exit code and reason are read as the container's status. Values made up in those layouts.
#[test]
fn crictl_inspect_container_status() {
    use crate::evidence::ContainerState;
    let json = "$ sudo crictl inspect 3f1c9e0b2d7a\n{\n  \"status\": {\n    \"id\": \"3f1c9e0b2d7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e\",\n    \"metadata\": {\n      \"attempt\": 4,\n      \"name\": \"worker\"\n    },\n    \"state\": \"CONTAINER_EXITED\",\n    \"createdAt\": \"2026-11-20T09:12:03.118422710Z\",\n    \"startedAt\": \"2026-11-20T09:12:03.402117385Z\",\n    \"finishedAt\": \"2026-11-20T09:12:41.930118002Z\",\n    \"exitCode\": 137,\n    \"image\": {\n      \"annotations\": {},\n      \"image\": \"registry.example.com/etl/worker:2.3.0\"\n    },\n    \"imageRef\": \"registry.example.com/etl/worker@sha256:5b1f6a0c9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b\",\n    \"reason\": \"OOMKilled\",\n    \"message\": \"\",\n    \"labels\": {\n      \"io.kubernetes.container.name\": \"worker\"\n    }\n  },\n  \"info\": {\n    \"sandboxID\": \"9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c\",\n    \"pid\": 0\n  }\n}\n";
    let (ev, _) = parse_text(json);
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert_eq!(c.name, "worker");
    assert_eq!(
        c.image.as_deref(),
        Some("registry.example.com/etl/worker:2.3.0")
    );
    assert!(matches!(
        &c.state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(137), .. }) if r == "OOMKilled"
    ));
    // `-o yaml`
    let yaml = "status:\n  createdAt: \"2026-11-20T09:12:03.118422710Z\"\n  exitCode: 1\n  finishedAt: \"2026-11-20T09:12:41.930118002Z\"\n  id: 3f1c9e0b2d7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e\n  image:\n    image: registry.example.com/etl/worker:2.3.0\n  metadata:\n    attempt: 4\n    name: worker\n  reason: Error\n  state: CONTAINER_EXITED\n";
    let (ev, _) = parse_text(yaml);
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(1), .. }) if r == "Error"
    ));
    // `| jq .status` trimmed by hand: the comma before the brace is dropped.
    let (ev, _) =
        parse_text("{\n  \"state\": \"CONTAINER_EXITED\",\n  \"reason\": \"OOMKilled\",\n}\n");
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    ));
    // a running container is running; one created and not started gives no state
    let (ev, _) = parse_text("{\n  \"state\": \"CONTAINER_RUNNING\",\n  \"exitCode\": 0\n}\n");
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Running { .. })
    ));
    let (ev, _) = parse_text("{\n  \"state\": \"CONTAINER_CREATED\",\n  \"exitCode\": 0\n}\n");
    assert!(ev.containers.is_empty());
}
