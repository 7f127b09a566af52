package dev.signagefleet.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadStatusTest {

    @Test
    void anUploadMovesOnlyForwardAndStopsAtDoneOrFailed() {
        assertThat(UploadStatus.ACCEPTED.canMoveTo(UploadStatus.BUILDING)).isTrue();
        assertThat(UploadStatus.BUILDING.canMoveTo(UploadStatus.REGISTERED)).isTrue();
        assertThat(UploadStatus.REGISTERED.canMoveTo(UploadStatus.DONE)).isTrue();
        assertThat(UploadStatus.BUILDING.canMoveTo(UploadStatus.FAILED)).isTrue();
        assertThat(UploadStatus.REGISTERED.canMoveTo(UploadStatus.BUILDING)).isFalse();
        assertThat(UploadStatus.DONE.canMoveTo(UploadStatus.FAILED)).isFalse();
        assertThat(UploadStatus.FAILED.canMoveTo(UploadStatus.DONE)).isFalse();
        assertThat(UploadStatus.DONE.isFinal()).isTrue();
        assertThat(UploadStatus.BUILDING.isFinal()).isFalse();
    }
}
