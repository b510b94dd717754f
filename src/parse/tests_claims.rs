//! Tests of the PersistentVolumeClaim layouts (issue 8, storage): a claim's YAML or JSON (one
//! object, or a `kubectl get pvc -o yaml/json` list) is a `claim` item as a `kubectl get pvc` row
//! gives it; a StatefulSet's `volumeClaimTemplates` entry is not a claim.

use super::tests_paste::parse_text;

#[test]
fn pvc_yaml_pending_is_a_claim_with_no_class() {
    let (ev, _) = parse_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data-etcd-0\n  namespace: default\n  creationTimestamp: '2021-12-22T02:11:05Z'\nspec:\n  accessModes:\n    - ReadWriteOnce\n  resources:\n    requests:\n      storage: 20Gi\n  volumeMode: Filesystem\nstatus:\n  phase: Pending\n");
    assert_eq!(ev.claims.len(), 1, "{:?}", ev.claims);
    let c = &ev.claims[0];
    assert_eq!(
        (c.name.as_str(), c.status.as_str()),
        ("data-etcd-0", "Pending")
    );
    assert_eq!(c.namespace.as_deref(), Some("default"));
    assert_eq!(
        (c.storage_class.as_deref(), c.volume.as_deref()),
        (None, None)
    );
    // Its own timestamps would date it at zero: the age is left unknown.
    assert_eq!(c.created, None);
    assert!(ev.pods.is_empty());
}

#[test]
fn pvc_json_list_bound_gives_class_and_volume() {
    let text = r#"{"kind":"PersistentVolumeClaimList","apiVersion":"v1","items":[{"metadata":{"name":"data-0","namespace":"db"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"8Gi"}},"storageClassName":"gp3","volumeName":"pvc-5b0f"},"status":{"phase":"Bound"}},{"metadata":{"name":"data-1","namespace":"db","annotations":{"volume.beta.kubernetes.io/storage-class":"fast"}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"8Gi"}}},"status":{"phase":"Pending"}}]}"#;
    let (ev, _) = parse_text(&format!("{text}\n"));
    assert_eq!(ev.claims.len(), 2, "{:?}", ev.claims);
    assert_eq!(ev.claims[0].status, "Bound");
    assert_eq!(ev.claims[0].storage_class.as_deref(), Some("gp3"));
    assert_eq!(ev.claims[0].volume.as_deref(), Some("pvc-5b0f"));
    // The beta annotation names the class of claims made before storageClassName (1.6).
    assert_eq!(ev.claims[1].storage_class.as_deref(), Some("fast"));
    assert_eq!(ev.claims[1].status, "Pending");
}

#[test]
fn a_claim_template_without_namespace_is_not_a_claim() {
    let (ev, _) = parse_text("- metadata:\n    name: data\n  spec:\n    accessModes:\n    - ReadWriteOnce\n    resources:\n      requests:\n        storage: 10Gi\n  status:\n    phase: Pending\n");
    assert!(ev.claims.is_empty(), "{:?}", ev.claims);
}

#[test]
fn a_claim_with_no_phase_is_not_listed() {
    let (ev, _) = parse_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: web\nspec:\n  accessModes:\n  - ReadWriteOnce\n  resources:\n    requests:\n      storage: 1Gi\n");
    assert!(ev.claims.is_empty(), "{:?}", ev.claims);
}
