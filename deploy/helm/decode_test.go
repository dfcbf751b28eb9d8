package helm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifests are the objects of one render, decoded into their API types
// and indexed by name.
type manifests struct {
	Deployments     map[string]*appsv1.Deployment
	Services        map[string]*corev1.Service
	ServiceAccounts map[string]*corev1.ServiceAccount
	ConfigMaps      map[string]*corev1.ConfigMap
	Secrets         map[string]*corev1.Secret
	Jobs            map[string]*batchv1.Job
	PDBs            map[string]*policyv1.PodDisruptionBudget
	HPAs            map[string]*autoscalingv2.HorizontalPodAutoscaler
	ScaledObjects   map[string]*scaledObject
	ServiceMonitors map[string]*serviceMonitor
	// Objects lists every object as "Kind/name", in render order.
	Objects []string
	// Meta holds every object's metadata, in render order.
	Meta []*metav1.ObjectMeta
}

// kinds maps apiVersion/kind to a constructor of the typed object and the
// index it goes in.
func (m *manifests) target(apiVersion, kind string) (any, func(name string), *metav1.ObjectMeta, error) {
	switch apiVersion + "/" + kind {
	case "apps/v1/Deployment":
		o := &appsv1.Deployment{}
		return o, func(n string) { m.Deployments[n] = o }, &o.ObjectMeta, nil
	case "v1/Service":
		o := &corev1.Service{}
		return o, func(n string) { m.Services[n] = o }, &o.ObjectMeta, nil
	case "v1/ServiceAccount":
		o := &corev1.ServiceAccount{}
		return o, func(n string) { m.ServiceAccounts[n] = o }, &o.ObjectMeta, nil
	case "v1/ConfigMap":
		o := &corev1.ConfigMap{}
		return o, func(n string) { m.ConfigMaps[n] = o }, &o.ObjectMeta, nil
	case "v1/Secret":
		o := &corev1.Secret{}
		return o, func(n string) { m.Secrets[n] = o }, &o.ObjectMeta, nil
	case "batch/v1/Job":
		o := &batchv1.Job{}
		return o, func(n string) { m.Jobs[n] = o }, &o.ObjectMeta, nil
	case "policy/v1/PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		return o, func(n string) { m.PDBs[n] = o }, &o.ObjectMeta, nil
	case "autoscaling/v2/HorizontalPodAutoscaler":
		o := &autoscalingv2.HorizontalPodAutoscaler{}
		return o, func(n string) { m.HPAs[n] = o }, &o.ObjectMeta, nil
	case "keda.sh/v1alpha1/ScaledObject":
		o := &scaledObject{}
		return o, func(n string) { m.ScaledObjects[n] = o }, &o.ObjectMeta, nil
	case "monitoring.coreos.com/v1/ServiceMonitor":
		o := &serviceMonitor{}
		return o, func(n string) { m.ServiceMonitors[n] = o }, &o.ObjectMeta, nil
	}
	return nil, nil, nil, fmt.Errorf("unexpected object %s %s: add its type to the test", apiVersion, kind)
}

// unmarshalStrict decodes one YAML document the way the API server's strict
// field validation does: field names match case-sensitively, and unknown
// or duplicate fields are errors. (sigs.k8s.io/yaml's UnmarshalStrict
// would accept readOnlyRootFileSystem for readOnlyRootFilesystem: encoding/json
// matches names case-insensitively.)
func unmarshalStrict(doc []byte, obj any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// decodeManifests splits a multi-document YAML stream and decodes each
// document strictly (unknown or duplicate fields are errors) into its
// Kubernetes API type.
func decodeManifests(rendered string) (*manifests, error) {
	m := &manifests{
		Deployments: map[string]*appsv1.Deployment{}, Services: map[string]*corev1.Service{},
		ServiceAccounts: map[string]*corev1.ServiceAccount{}, ConfigMaps: map[string]*corev1.ConfigMap{},
		Secrets: map[string]*corev1.Secret{}, Jobs: map[string]*batchv1.Job{},
		PDBs: map[string]*policyv1.PodDisruptionBudget{}, HPAs: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		ScaledObjects: map[string]*scaledObject{}, ServiceMonitors: map[string]*serviceMonitor{},
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(rendered)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("split documents: %w", err)
		}
		var head metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("read apiVersion and kind: %w\n%s", err, doc)
		}
		if head.APIVersion == "" && head.Kind == "" {
			continue // a document of comments only
		}
		obj, add, meta, err := m.target(head.APIVersion, head.Kind)
		if err != nil {
			return nil, err
		}
		if err := unmarshalStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("%s: %w", head.Kind, err)
		}
		key := head.Kind + "/" + meta.Name
		for _, o := range m.Objects {
			if o == key {
				return nil, fmt.Errorf("%s rendered twice", key)
			}
		}
		add(meta.Name)
		m.Objects = append(m.Objects, key)
		m.Meta = append(m.Meta, meta)
	}
	return m, nil
}
