package dev.signagefleet.ingest.upload;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an upload is on its journey. csv-ingest owns the upload and moves it only on events it
 * receives: ACCEPTED (validated, slides stored) → BUILDING → REGISTERED → DONE, or FAILED from any
 * step that is not finished yet. Redelivered events must not move an upload backwards.
 */
public enum UploadStatus {
    ACCEPTED,
    BUILDING,
    REGISTERED,
    DONE,
    FAILED;

    private Set<UploadStatus> next() {
        return switch (this) {
            case ACCEPTED -> EnumSet.of(BUILDING, REGISTERED, DONE, FAILED);
            case BUILDING -> EnumSet.of(REGISTERED, DONE, FAILED);
            case REGISTERED -> EnumSet.of(DONE, FAILED);
            case DONE, FAILED -> EnumSet.noneOf(UploadStatus.class);
        };
    }

    /** May an upload in this status move to {@code target}? Never backwards, never out of DONE or FAILED. */
    public boolean canMoveTo(UploadStatus target) {
        return next().contains(target);
    }

    public boolean isFinal() {
        return this == DONE || this == FAILED;
    }
}
