package dev.signagefleet.agent.connection;

import org.eclipse.paho.mqttv5.common.MqttException;

/** Turns Paho's exceptions into one readable line that says what the operator can do about it. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        if (failure instanceof MqttException mqtt) {
            int code = mqtt.getReasonCode();
            text.append(meaning(code).orElse(String.valueOf(mqtt.getMessage()))).append(" (reason code ").append(code).append(')');
        } else {
            text.append(failure);
        }
        Throwable cause = failure.getCause();
        if (cause != null && cause != failure) {
            text.append(": ").append(cause);
        }
        return text.toString();
    }

    /** True for refusals that retrying alone will not fix: the credential or the policy must change. */
    static boolean isRefusal(Throwable failure) {
        if (failure instanceof MqttException mqtt) {
            int code = mqtt.getReasonCode();
            return code == 133 || code == 134 || code == 135 || code == 138 || code == 140;
        }
        return false;
    }

    private static java.util.Optional<String> meaning(int code) {
        String meaning = switch (code) {
            case 128 -> "the broker refused: unspecified error";
            case 133 -> "the broker refused the client id (it must equal the device id)";
            case 134 -> "the broker refused: bad user name or password";
            case 135 -> "the broker refused: not authorized";
            case 136 -> "the broker is unavailable";
            case 137 -> "the broker is busy";
            case 138 -> "the broker has banned this client";
            case 140 -> "the broker refused the authentication method";
            default -> null;
        };
        return java.util.Optional.ofNullable(meaning);
    }
}
