package dev.signagefleet.common.event;

/**
 * The event types services exchange: the contract between them (a producer owns its types; any
 * service may subscribe). Each says what happened, in the past tense, never what to do.
 */
public final class SignageEvents {

    /** csv-ingest stored the slides of a valid upload. Data: uploadId, rows, groups (explicit target groups), allGroups. */
    public static final String ELEMENTS_REGISTERED = "signage.elements.registered.v1";
    /** content-builder started building an upload. Data: uploadId, groups (every group it will build). */
    public static final String CONTENT_BUILD_STARTED = "signage.content.build-started.v1";
    /** content-builder built a group's package. Data: uploadId, group, version, number, sha256, size, slides. */
    public static final String CONTENT_BUILT = "signage.content.built.v1";
    /** content-builder could not build an upload. Data: uploadId, group (or null), reason. */
    public static final String CONTENT_BUILD_FAILED = "signage.content.build-failed.v1";
    /** content-registry made a version current for its group and told the terminals. Data: uploadId, group, version, number. */
    public static final String CONTENT_REGISTERED = "signage.content.registered.v1";
    /** csv-ingest finished an upload's journey (DONE or FAILED). Data: uploadId, status, reason. */
    public static final String UPLOAD_FINISHED = "signage.upload.finished.v1";

    private SignageEvents() {
    }
}
