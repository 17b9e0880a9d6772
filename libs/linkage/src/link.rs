//! One linkage run: the spine first, then the other registry files in
//! parallel, then the cohort table.

use std::path::Path;
use std::thread;

use hap_contracts::criteria::{Registry, resolve_request};

use crate::error::LinkageError;
use crate::exclusion::{ExclusionList, first_statutory_with_exclusions, list_digest};
use crate::keyed_hash::KeyedHasher;
use crate::registries::{birth, cancer, patient, quality};
use crate::report::{ExclusionSummary, LinkageReport};
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
    check_keys_and_exclusions(request)?;
    let reads = |registry: Registry| variables.iter().any(|v| v.registry == registry);

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

/// Scans one file with the exclusion list of its registry, if any.
fn scan(
    context: ScanContext<'_>,
    request: &LinkageRequest<'_>,
    layout: &FileLayout,
    sink: &mut impl RowSink,
) -> Result<ScanResult, LinkageError> {
    let exclusions = request
        .exclusions
        .get(&layout.registry)
        .filter(|hashes| !hashes.is_empty())
        .map(|hashes| ExclusionList::new(hashes, request.platform_key));
    scan_file(context, layout, exclusions, sink)
}

/// Waits for a scan thread; a panic in the thread continues in the caller.
fn join<T>(handle: thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn check_keys_and_exclusions(request: &LinkageRequest<'_>) -> Result<(), LinkageError> {
    if request.project_key.is_empty() {
        return Err(LinkageError::EmptyKey { which: "project" });
    }
    if let Some(registry) = first_statutory_with_exclusions(request.exclusions) {
        return Err(LinkageError::ExclusionsNotAllowed { registry });
    }
    let any_exclusions = request.exclusions.values().any(|hashes| !hashes.is_empty());
    if any_exclusions && request.platform_key.is_empty() {
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

/// Summarises each exclusion list of the request, in registry order.
fn exclusion_summaries(
    request: &LinkageRequest<'_>,
    scans: &[ScanResult],
) -> Vec<ExclusionSummary> {
    let mut summaries: Vec<ExclusionSummary> = request
        .exclusions
        .iter()
        .map(|(registry, hashes)| ExclusionSummary {
            registry: *registry,
            persons_listed: hashes.len() as u64,
            persons_excluded: scans
                .iter()
                .find(|scan| scan.report.registry == *registry)
                .map_or(0, |scan| scan.excluded_persons as u64),
            list_sha256: list_digest(hashes),
        })
        .collect();
    summaries.sort_by_key(|summary| summary.registry);
    summaries
}
