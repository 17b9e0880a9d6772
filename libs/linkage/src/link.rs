//! One linkage run: the spine first, then the other registry files in
//! parallel, then the cohort table.

use std::path::Path;
use std::thread;

use hap_contracts::criteria::{Registry, resolve_request};

use crate::error::LinkageError;
use crate::exclusion::{PersonFilter, list_digest};
use crate::keyed_hash::KeyedHasher;
use crate::registries::{birth, cancer, patient, quality};
use crate::report::{ConsentedSummary, ExclusionSummary, LinkageReport};
use crate::request::{LinkageOutput, LinkageRequest};
use crate::scan::{FileLayout, RowSink, ScanContext, ScanResult, scan_file};
use crate::spine::{PersonIndex, Spine};
use crate::table::{LinkedValues, build_table};

/// Links the registry extracts in `registry_dir` for `request`.
///
/// Reads `population.csv` and `cancer.csv`, plus the file of every other
/// registry the request names variables of. Returns one row per cohort
/// person, sorted by pseudonym, and a report that accounts for every row
/// read.
pub fn link(registry_dir: &Path, request: &LinkageRequest) -> Result<LinkageOutput, LinkageError> {
    request.criteria.validate()?;
    let variables = resolve_request(request.variables)?;
    let reads = |registry: Registry| variables.iter().any(|v| v.registry == registry);
    check_keys_and_lists(request, reads)?;

    let spine_read = Spine::read(registry_dir, request.rules, &variables)?;
    let spine = &spine_read.spine;
    let context = ScanContext {
        dir: registry_dir,
        spine,
        rules: request.rules,
    };

    let mut cancer_sink = cancer::CancerSink::new(request.criteria);
    let mut birth_sink = reads(Registry::Birth).then(birth::BirthSink::new);
    let mut patient_sink = reads(Registry::Patient).then(|| patient::PatientSink::new(spine.len()));
    let mut quality_sink = reads(Registry::Quality).then(quality::QualitySink::new);

    // One thread per file: the files are independent once the spine exists.
    let scans = thread::scope(|scope| {
        let cancer = scope.spawn(|| scan(context, request, &cancer::LAYOUT, &mut cancer_sink));
        let birth = birth_sink
            .as_mut()
            .map(|sink| scope.spawn(|| scan(context, request, &birth::LAYOUT, sink)));
        let patient = patient_sink
            .as_mut()
            .map(|sink| scope.spawn(|| scan(context, request, &patient::LAYOUT, sink)));
        let quality = quality_sink
            .as_mut()
            .map(|sink| scope.spawn(|| scan(context, request, &quality::LAYOUT, sink)));
        let mut results = vec![join(cancer)];
        results.extend([birth, patient, quality].into_iter().flatten().map(join));
        results
    });
    let scans: Vec<ScanResult> = scans.into_iter().collect::<Result<_, _>>()?;

    let cohort = pseudonymized_cohort(
        spine,
        cancer_sink.first_diagnoses.keys(),
        request.project_key,
    )?;
    let values = LinkedValues {
        spine,
        cancer: &cancer_sink,
        birth: birth_sink.as_ref(),
        patient: patient_sink.as_ref(),
        quality: quality_sink.as_ref(),
    };
    let table = build_table(&cohort, &variables, &values)?;
    let report = LinkageReport {
        exclusions: exclusion_summaries(request, &scans),
        files: std::iter::once(spine_read.report)
            .chain(scans.into_iter().map(|scan| scan.report))
            .collect(),
        spine: spine.summary(),
        cohort_size: cohort.len() as u64,
    };
    Ok(LinkageOutput { table, report })
}

/// Scans one file with the lists of its registry, if any.
fn scan(
    context: ScanContext<'_>,
    request: &LinkageRequest<'_>,
    layout: &FileLayout,
    sink: &mut impl RowSink,
) -> Result<ScanResult, LinkageError> {
    let filter = PersonFilter::new(
        request.exclusions.get(&layout.registry),
        request.consented.get(&layout.registry),
        request.platform_key,
    );
    scan_file(context, layout, filter, sink)
}

/// Waits for a scan thread; a panic in the thread continues in the caller.
fn join<T>(handle: thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Checks the keys, and that every consent-based registry the request
/// reads comes with its list of consented persons.
fn check_keys_and_lists(
    request: &LinkageRequest<'_>,
    reads: impl Fn(Registry) -> bool,
) -> Result<(), LinkageError> {
    if request.project_key.is_empty() {
        return Err(LinkageError::EmptyKey { which: "project" });
    }
    let mut consent_based: Vec<Registry> = Registry::ALL
        .into_iter()
        .filter(|registry| registry.is_consent_based() && reads(*registry))
        .collect();
    consent_based.sort();
    if let Some(registry) = consent_based
        .into_iter()
        .find(|registry| !request.consented.contains_key(registry))
    {
        return Err(LinkageError::ConsentListMissing { registry });
    }
    let any_lists = request.exclusions.values().any(|hashes| !hashes.is_empty())
        || !request.consented.is_empty();
    if any_lists && request.platform_key.is_empty() {
        return Err(LinkageError::EmptyKey { which: "platform" });
    }
    Ok(())
}

/// Pairs each cohort person with the pseudonym of the person's current
/// number, sorted by pseudonym. Each pseudonym is computed once.
fn pseudonymized_cohort<'a>(
    spine: &Spine,
    persons: impl Iterator<Item = &'a PersonIndex>,
    project_key: &[u8],
) -> Result<Vec<(String, PersonIndex)>, LinkageError> {
    let hasher = KeyedHasher::new(project_key);
    let mut cohort: Vec<(String, PersonIndex)> = persons
        .map(|&person| (hasher.pseudonym(spine.person(person).id), person))
        .collect();
    cohort.sort_unstable();
    if cohort.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return Err(LinkageError::PseudonymCollision);
    }
    Ok(cohort)
}

/// Summarises the lists of each registry the request gave lists for, in
/// registry order.
fn exclusion_summaries(
    request: &LinkageRequest<'_>,
    scans: &[ScanResult],
) -> Vec<ExclusionSummary> {
    let empty = std::collections::HashSet::new();
    let mut registries: Vec<Registry> = request
        .exclusions
        .keys()
        .chain(request.consented.keys())
        .copied()
        .collect();
    registries.sort();
    registries.dedup();
    registries
        .into_iter()
        .map(|registry| {
            let scan = scans.iter().find(|scan| scan.report.registry == registry);
            let excluded = request.exclusions.get(&registry).unwrap_or(&empty);
            ExclusionSummary {
                registry,
                persons_listed: excluded.len() as u64,
                persons_excluded: scan.map_or(0, |scan| scan.excluded_persons as u64),
                list_sha256: list_digest(excluded),
                consented: request
                    .consented
                    .get(&registry)
                    .map(|hashes| ConsentedSummary {
                        persons_listed: hashes.len() as u64,
                        persons_without_consent: scan
                            .map_or(0, |scan| scan.persons_without_consent as u64),
                        list_sha256: list_digest(hashes),
                    }),
            }
        })
        .collect()
}
