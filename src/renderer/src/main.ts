import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { provideHostClient } from './api/host';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
provideHostClient(app);
app.mount('#app');
