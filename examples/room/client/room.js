import { RoomClient } from './RoomClient.js';
import { RoomView } from './RoomView.js';

/**
 * The room page. `/?room=NAME` joins NAME at once (optional `&name=` for the label
 * shown to others, `&height=` for the camera resolution); without a room it shows
 * the join form.
 *
 * For tests and the curious: `window.mafaldaRoom` is the RoomClient
 * (`remoteMediaStats()`, `localMediaStats()`, `closedConsumers`, `leave()`).
 */
const params = new URLSearchParams(location.search);
const roomName = params.get('room')?.trim();
const displayName = params.get('name')?.trim() || `Guest ${Math.floor(Math.random() * 900 + 100)}`;
const videoHeight = Number(params.get('height')) || 720;

const view = new RoomView({
	tiles: document.getElementById('tiles'),
	status: document.getElementById('status'),
	unmute: document.getElementById('unmute'),
});
const leaveButton = document.getElementById('leave');
const joinForm = document.getElementById('join-form');

if (!roomName) {
	joinForm.hidden = false;
	// An empty name would still travel as `&name=`; a disabled field is not sent.
	joinForm.addEventListener('submit', () => {
		const nameInput = joinForm.elements.namedItem('name');
		nameInput.disabled = !nameInput.value.trim();
	});
	view.setStatus('Pick a room: everyone who opens the same name meets there.');
} else {
	join();
}

function join() {
	document.getElementById('room-name').textContent = roomName;
	document.title = `${roomName} · Mafalda room`;
	const signalingUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
	const client = new RoomClient({ roomName, displayName, signalingUrl, videoHeight });
	window.mafaldaRoom = client;

	client.addEventListener('state', ({ detail: { state, error } }) => {
		if (error) view.setStatus(`${state}: ${error}`, { error: true });
		else view.setStatus(statusText(state, client));
		leaveButton.hidden = state !== 'joined' && state !== 'connecting';
	});
	client.addEventListener('localstream', ({ detail: { stream } }) => view.showLocal(stream, displayName));
	client.addEventListener('peerjoined', ({ detail: { peerId, displayName: name } }) => {
		view.addPeer(peerId, name);
		view.setStatus(statusText(client.state, client));
	});
	client.addEventListener('peerleft', ({ detail: { peerId } }) => {
		view.removePeer(peerId);
		view.setStatus(statusText(client.state, client));
	});
	client.addEventListener('consumer', ({ detail }) => view.addConsumer(detail));
	client.addEventListener('consumerclosed', ({ detail: { consumerId } }) => view.removeConsumer(consumerId));

	leaveButton.addEventListener('click', async () => {
		await client.leave();
		view.clear();
		view.setStatus(`You left "${roomName}". Reload the page to join again.`);
	});
	// Closing the tab closes the WebSocket, which is enough for the server.
	client.join();
}

function statusText(state, client) {
	if (state === 'connecting') return 'Joining…';
	if (state === 'left') return 'You left the room.';
	const others = client.peers.size;
	return others === 0 ? 'You are alone here: open this address in another tab.' : `${others} other participant${others > 1 ? 's' : ''}`;
}
