"""History pages: the size of a message as sent, against its stored JSON."""

import pytest

from services.messages.pages import GROWTH_AS_SENT, encoded_size
from tests.support.stored_messages import WORST_TEXTS, message_draft


@pytest.mark.parametrize("text", [*WORST_TEXTS.values(), "plain ascii", 'é漢😀\n\t"\\'])
def test_a_message_as_sent_takes_at_most_growth_times_its_stored_json(text: str) -> None:
    # Pages whose stored size times GROWTH_AS_SENT fits are sent without measuring.
    message = message_draft("g", "m1", text)
    stored = len(message.model_dump_json().encode())
    assert encoded_size(message) <= GROWTH_AS_SENT * stored
