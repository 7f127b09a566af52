package dev.signagefleet.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicPolicyTest {

    @Test
    void aDeviceMaySubscribeToItsOwnAndItsGroupsCommandsOnly() {
        BrokerPrincipal kiosk = new BrokerPrincipal.Device("kiosk-1", "osaka");
        assertThat(TopicPolicy.maySubscribe(kiosk, "cmd/signage/kiosk-1/#", null)).isTrue();
        assertThat(TopicPolicy.maySubscribe(kiosk, "cmd/signage/group/osaka/#", null)).isTrue();
        assertThat(TopicPolicy.maySubscribe(kiosk, "cmd/signage/group/nagoya/#", null)).isFalse();
        assertThat(TopicPolicy.maySubscribe(kiosk, "cmd/signage/#", null)).isFalse();
    }

    @Test
    void aDeviceCalledGroupDoesNotGetEveryGroupsCommands() {
        BrokerPrincipal named = new BrokerPrincipal.Device(TopicPolicy.RESERVED_GROUP_LEVEL, "osaka");
        assertThat(TopicPolicy.maySubscribe(named, "cmd/signage/group/#", null)).isFalse();
        assertThat(TopicPolicy.maySubscribe(named, "cmd/signage/group/nagoya/#", null)).isFalse();
        assertThat(TopicPolicy.maySubscribe(named, "cmd/signage/group/osaka/#", null)).isTrue();
    }
}
