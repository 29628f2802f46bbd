import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App.tsx';
import { takeSignInToken } from './api.ts';
import { finishSignIn, loadSignInConfig } from './sign-in.ts';
import './index.css';

async function boot() {
  takeSignInToken();
  const signIn = await loadSignInConfig();
  if (signIn) await finishSignIn(signIn);
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <BrowserRouter>
        <App signIn={signIn} />
      </BrowserRouter>
    </StrictMode>,
  );
}

void boot();
